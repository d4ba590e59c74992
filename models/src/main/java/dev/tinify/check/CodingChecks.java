package dev.tinify.check;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tinify.runtime.coding.CdfTables;
import dev.tinify.runtime.coding.EntropyCoder;
import dev.tinify.runtime.coding.QuantizedCdf;
import dev.tinify.runtime.coding.RansCoder;
import dev.tinify.runtime.reference.ReferenceCase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/** Checks of the entropy-coding unit cases: {@code unit-rans} and {@code unit-pmf-to-quantized-cdf}. */
final class CodingChecks {
    private CodingChecks() {}

    /**
     * {@code unit-rans}: for each symbol set, one-call and buffered (fixture split) encodings are
     * byte-identical to CompressAI's, and CompressAI's streams decode to the symbols.
     */
    static void rans(ReferenceCase ref, CaseReport report) {
        RansCoder coder = new RansCoder();
        for (String name : fieldNames(ref.meta().path("sets"))) {
            JsonNode set = ref.meta().path("sets").path(name);
            int[] symbols = ref.tensor(name + ".symbols").toInts();
            int[] indexes = ref.tensor(name + ".indexes").toInts();
            CdfTables tables = tables(ref, name);
            byte[] oneCall = Base64.getDecoder().decode(set.path("RansEncoder_encode_with_indexes_b64").asText());
            byte[] buffered = Base64.getDecoder().decode(set.path("BufferedRansEncoder_two_calls_then_flush_b64").asText());
            int[] split = new int[set.path("BufferedRansEncoder_split").size()];
            for (int i = 0; i < split.length; i++) {
                split[i] = set.path("BufferedRansEncoder_split").get(i).asInt();
            }

            report.compareBytes(name + " encode", coder.encodeWithIndexes(symbols, indexes, tables), oneCall);
            EntropyCoder.Encoder enc = coder.newEncoder();
            for (int c = 0; c + 1 < split.length; c++) {
                enc.encodeWithIndexes(Arrays.copyOfRange(symbols, split[c], split[c + 1]),
                        Arrays.copyOfRange(indexes, split[c], split[c + 1]), tables);
            }
            report.compareBytes(name + " buffered encode", enc.flush(), buffered);
            report.compareInts(name + " decode", coder.decodeWithIndexes(oneCall, indexes, tables), symbols);
        }
    }

    /** {@code unit-pmf-to-quantized-cdf}: every pmf gives CompressAI's CDF exactly. */
    static void pmfToQuantizedCdf(ReferenceCase ref, CaseReport report) {
        int precision = ref.meta().path("precision").asInt();
        for (String name : fieldNames(ref.meta().path("results"))) {
            report.compareInts(name, QuantizedCdf.fromPmf(ref.tensor(name + ".pmf").toFloats(), precision),
                    ref.tensor(name + ".cdf").toInts());
        }
    }

    private static CdfTables tables(ReferenceCase ref, String name) {
        int[] flat = ref.tensor(name + ".cdfs").toInts();
        long[] shape = ref.tensor(name + ".cdfs").shape();
        int width = (int) shape[1];
        int[][] rows = new int[(int) shape[0]][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = Arrays.copyOfRange(flat, i * width, (i + 1) * width);
        }
        return new CdfTables(rows, ref.tensor(name + ".cdf_lengths").toInts(), ref.tensor(name + ".offsets").toInts());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        if (out.isEmpty()) {
            throw new IllegalArgumentException("case.json has no entries to check");
        }
        return out;
    }
}
