package dev.tinify.runtime.coding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tinify.runtime.reference.ReferenceCase;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Byte equality with CompressAI's rANS on the unit-rans fixture, and decoding its streams. */
class RansCoderTest {
    private final RansCoder coder = new RansCoder();

    record Set(int[] symbols, int[] indexes, CdfTables tables, byte[] oneCall, byte[] buffered, int[] split) {}

    static Set load(String name) throws Exception {
        ReferenceCase ref = ReferenceCase.fixture("unit-rans");
        int[] flat = ref.tensor(name + ".cdfs").toInts();
        long[] shape = ref.tensor(name + ".cdfs").shape();
        int k = (int) shape[0];
        int width = (int) shape[1];
        int[][] rows = new int[k][];
        for (int i = 0; i < k; i++) {
            rows[i] = Arrays.copyOfRange(flat, i * width, (i + 1) * width);
        }
        CdfTables tables = new CdfTables(rows, ref.tensor(name + ".cdf_lengths").toInts(),
                ref.tensor(name + ".offsets").toInts());
        JsonNode set = ref.meta().path("sets").path(name);
        int[] split = new int[set.path("BufferedRansEncoder_split").size()];
        for (int i = 0; i < split.length; i++) {
            split[i] = set.path("BufferedRansEncoder_split").get(i).asInt();
        }
        byte[] one = Base64.getDecoder().decode(set.path("RansEncoder_encode_with_indexes_b64").asText());
        assertEquals(set.path("RansEncoder_num_bytes").asInt(), one.length, name + " fixture length");
        return new Set(ref.tensor(name + ".symbols").toInts(), ref.tensor(name + ".indexes").toInts(), tables, one,
                Base64.getDecoder().decode(set.path("BufferedRansEncoder_two_calls_then_flush_b64").asText()), split);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gc_default_table", "random_tables_escapes"})
    void oneCallEncodingIsByteIdentical(String name) throws Exception {
        Set s = load(name);
        assertArrayEquals(s.oneCall, coder.encodeWithIndexes(s.symbols, s.indexes, s.tables));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gc_default_table", "random_tables_escapes"})
    void bufferedEncodingInTheFixtureSplitIsByteIdentical(String name) throws Exception {
        Set s = load(name);
        BufferedRansEncoder enc = coder.newEncoder();
        for (int c = 0; c + 1 < s.split.length; c++) {
            enc.encodeWithIndexes(Arrays.copyOfRange(s.symbols, s.split[c], s.split[c + 1]),
                    Arrays.copyOfRange(s.indexes, s.split[c], s.split[c + 1]), s.tables);
        }
        assertArrayEquals(s.buffered, enc.flush());
        // flush empties the buffer: the same encoder codes the next stream from scratch.
        enc.encodeWithIndexes(s.symbols, s.indexes, s.tables);
        assertArrayEquals(s.oneCall, enc.flush());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gc_default_table", "random_tables_escapes"})
    void decodesCompressAiStreamsInOneCall(String name) throws Exception {
        Set s = load(name);
        assertArrayEquals(s.symbols, coder.decodeWithIndexes(s.oneCall, s.indexes, s.tables));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gc_default_table", "random_tables_escapes"})
    void decodesCompressAiStreamsIncrementally(String name) throws Exception {
        Set s = load(name);
        EntropyCoder.Decoder dec = coder.newDecoder(s.buffered);
        int[] out = new int[s.symbols.length];
        for (int c = 0; c + 1 < s.split.length; c++) {
            int[] part = dec.decodeStream(Arrays.copyOfRange(s.indexes, s.split[c], s.split[c + 1]), s.tables);
            System.arraycopy(part, 0, out, s.split[c], part.length);
        }
        dec.finish();
        assertArrayEquals(s.symbols, out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gc_default_table", "random_tables_escapes"})
    void trimmedRowsCodeTheSameBytes(String name) throws Exception {
        Set s = load(name);
        int[][] trimmed = new int[s.tables.size()][];
        for (int i = 0; i < trimmed.length; i++) {
            trimmed[i] = Arrays.copyOf(s.tables.cdfs()[i], s.tables.cdfLengths()[i]);
        }
        CdfTables t = new CdfTables(trimmed, s.tables.cdfLengths(), s.tables.offsets());
        assertArrayEquals(s.oneCall, coder.encodeWithIndexes(s.symbols, s.indexes, t));
    }
}
