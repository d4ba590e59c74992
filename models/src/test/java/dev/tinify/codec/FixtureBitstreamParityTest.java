package dev.tinify.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tinify.Tinify;
import dev.tinify.check.ExcusedFlips;
import dev.tinify.check.ModelChecks;
import dev.tinify.check.RecordingCoder;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.coding.EntropyCoders;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Model-level bitstream parity with CompressAI for every fixture case of the ten image
 * architectures found on disk (other seeds, padded inputs and other sizes are picked up as they
 * appear): {@code compress(x)} gives CompressAI's strings byte for byte, {@code decompress} of
 * CompressAI's strings gives its {@code x_hat}, and our own strings decode to exactly the latent
 * the encoder coded.
 *
 * <p>A float32 re-implementation may legitimately round a value that CompressAI put within float
 * noise of a decision boundary to the other side (the case's {@code margins}). Such flips are
 * judged by {@link ExcusedFlips}, the rule {@code tinify check} applies too (at most two per coder
 * call, each off by one, only where CompressAI's margin is below 1e-5); the test reports which
 * symbol or table index flipped, and still compares the decoded latent and image.
 */
class FixtureBitstreamParityTest {
    /** Abs tolerance for decoded images and latents (see the fixtures' README). */
    private static final double TOLERANCE = 1e-4;

    static Stream<Path> cases() throws IOException {
        Path fixtures = ReferenceCase.sharedDir().resolve("fixtures");
        List<Path> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(fixtures)) {
            for (Path d : dirs.sorted().toList()) {
                if (Files.isRegularFile(d.resolve("case.json")) && Files.isRegularFile(d.resolve("state_dict.safetensors"))
                        && Codecs.ARCHITECTURES.contains(ModelChecks.architecture(ReferenceCase.open(d)))) {
                    out.add(d);
                }
            }
        }
        assertFalse(out.isEmpty(), "no fixture case of " + Codecs.ARCHITECTURES + " in " + fixtures);
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void compressGivesCompressAIsStrings(Path dir, TestReporter reporter) throws IOException {
        ReferenceCase ref = ReferenceCase.open(dir);
        try (CompressionModel model = open(ref); NDManager m = model.manager().newSubManager()) {
            Map<String, RecordingCoder> coders = Codecs.record(model, EntropyCoders.get("ans"));
            NDArray x = array(m, ref.tensor("x"));
            CompressionModel.Compressed ours = model.compress(x);
            assertEquals(ref.compressShape(), ours.shape(), "compress shape");
            List<String> differing = differingStreams(ours.strings(), ref.compressStrings());
            if (differing.isEmpty()) {
                return;
            }
            List<String> flips = flips(ref, coders, false);
            assertFalse(flips.isEmpty(), "strings " + differing + " differ from CompressAI's although every symbol and table "
                    + "index handed to the coder is CompressAI's: the coder or the stream order is wrong");
            flips.forEach(f -> reporter.publishEntry("compress flip", f));
            assertOwnStringsRoundTrip(model, x);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decompressOfCompressAIsStringsGivesItsReconstruction(Path dir, TestReporter reporter) throws IOException {
        ReferenceCase ref = ReferenceCase.open(dir);
        try (CompressionModel model = open(ref); NDManager m = model.manager().newSubManager()) {
            Map<String, RecordingCoder> coders = Codecs.record(model, EntropyCoders.get("ans"));
            NDArray xHat = model.decompress(m, ref.compressStrings(), ref.compressShape());
            flips(ref, coders, true).forEach(f -> reporter.publishEntry("decompress flip", f));
            String latent = ref.hasTensor("decompress.g_s.in") ? "decompress.g_s.in" : "compress.y_hat";
            if (ref.hasTensor(latent)) {
                float[] yHat = Codecs.decodeLatent(model, ref.compressStrings(), ref.compressShape());
                assertClose(latent, ref.tensor(latent).toFloats(), yHat);
            }
            SafeTensors.Tensor expected = ref.tensor("decompress.x_hat");
            assertEquals(new Shape(expected.shape()), xHat.getShape(), "decompress.x_hat shape");
            assertClose("decompress.x_hat", expected.toFloats(), xHat.toFloatArray());
            if (ref.hasTensor("x_unpadded")) {
                long[] padded = ref.tensor("x").shape();
                long[] crop = ref.tensor("x_unpadded").shape();
                int dh = (int) (padded[2] - crop[2]);
                int dw = (int) (padded[3] - crop[3]);
                // Centred padding, the odd pixel right / bottom (CompressAI's compute_padding).
                Padding p = new Padding(dw / 2, dw - dw / 2, dh / 2, dh - dh / 2);
                RgbImage unpadded = RgbImage.fromNDArray(xHat).crop(p);
                assertClose("decompress.x_hat_unpadded", ref.tensor("decompress.x_hat_unpadded").toFloats(), unpadded.data());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ownStringsDecodeToTheEncodersLatent(Path dir) throws IOException {
        ReferenceCase ref = ReferenceCase.open(dir);
        try (CompressionModel model = open(ref); NDManager m = model.manager().newSubManager()) {
            assertOwnStringsRoundTrip(model, array(m, ref.tensor("x")));
        }
    }

    private static CompressionModel open(ReferenceCase ref) throws IOException {
        CompressionModel model = Tinify.build(ModelChecks.architecture(ref), ModelChecks.parameters(ref));
        try {
            model.load(ref.stateDict());
            model.train(false);
        } catch (RuntimeException | IOException e) {
            model.close();
            throw e;
        }
        return model;
    }

    private static void assertOwnStringsRoundTrip(CompressionModel model, NDArray x) {
        Codecs.Encoded e = Codecs.encode(model, x);
        float[] decoded = Codecs.decodeLatent(model, e.strings(), e.shape());
        assertArrayEquals(e.yHat(), decoded, "decoding our own strings must rebuild the encoder's y_hat exactly");
    }

    /**
     * Judges each recorded stream (encoded, or with {@code decoded} the decoded ones) against the
     * fixture's coder call for the same entropy model by {@link ExcusedFlips}: fails on a
     * difference the rule does not excuse, returns the excused ones.
     */
    private static List<String> flips(ReferenceCase ref, Map<String, RecordingCoder> coders, boolean decoded) {
        String phase = decoded ? "decompress" : "compress";
        JsonNode calls = ref.meta().path("compress").path("coder_calls");
        List<String> out = new ArrayList<>();
        Map<String, List<RecordingCoder.Stream>> left = new HashMap<>();
        coders.forEach((name, c) -> left.put(name, new ArrayList<>(decoded ? c.decoded() : c.encoded())));
        for (JsonNode call : calls) {
            int i = call.path("index").asInt();
            String model = call.path("entropy_model").asText().replaceAll("\\(.*\\)$", "");
            int[] symbols = ref.tensor("compress.coder." + i + ".symbols").toInts();
            int[] indexes = ref.tensor("compress.coder." + i + ".indexes").toInts();
            byte[] bytes = Base64.getDecoder().decode(call.path("output_b64").asText());
            // Encoded streams pair up in call order; decoded ones by the bytes they read.
            List<RecordingCoder.Stream> mine = left.getOrDefault(model, List.of());
            RecordingCoder.Stream s = mine.stream()
                    .filter(r -> !decoded || Arrays.equals(r.bytes(), bytes))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(phase + ": no coding by " + model + " for CompressAI's coder call " + i
                            + " (streams left per entropy model: " + counts(left) + ")"));
            mine.remove(s);
            ExcusedFlips.Verdict v = ExcusedFlips.judge(ref, phase, model, s.symbols(), symbols, s.indexes(), indexes);
            String where = phase + ": " + model + " coder call " + i + ": ";
            assertTrue(v.equal() || v.excused(), () -> where + v.differences() + " not excused: " + v.detail());
            if (v.excused()) {
                out.add(where + v.detail());
                System.out.println("flip excused: " + where + v.detail());
            }
        }
        return out;
    }

    private static Map<String, Integer> counts(Map<String, List<RecordingCoder.Stream>> streams) {
        Map<String, Integer> out = new TreeMap<>();
        streams.forEach((name, list) -> out.put(name, list.size()));
        return out;
    }

    private static List<String> differingStreams(List<List<byte[]>> ours, List<List<byte[]>> theirs) {
        assertEquals(theirs.size(), ours.size(), "number of streams");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < theirs.size(); i++) {
            assertEquals(theirs.get(i).size(), ours.get(i).size(), "batch size of stream " + i);
            for (int b = 0; b < theirs.get(i).size(); b++) {
                if (!Arrays.equals(theirs.get(i).get(b), ours.get(i).get(b))) {
                    out.add("stream " + i + " item " + b + " (" + ours.get(i).get(b).length + " vs " + theirs.get(i).get(b).length
                            + " bytes)");
                }
            }
        }
        return out;
    }

    private static NDArray array(NDManager m, SafeTensors.Tensor t) {
        return m.create(t.toFloats(), new Shape(t.shape()));
    }

    private static void assertClose(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + " size");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) actual[i] - expected[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        final double w = worst;
        final int a = at;
        assertTrue(w <= TOLERANCE, () -> what + ": max |err| " + w + " at flat index " + a + " > " + TOLERANCE);
    }
}
