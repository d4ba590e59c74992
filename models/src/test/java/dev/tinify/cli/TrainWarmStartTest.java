package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tinify.Tinify;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.model.CompressionModel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tinify train --init}: a fresh run starts from the entries of other weights that match in name and shape. */
class TrainWarmStartTest {
    /** The shipped hyperprior q3 (N=64, M=96): trained weights, whose scales carry the rate. */
    private static final Path SHIPPED_Q3 = Path.of("src/main/resources/tinify/weights/bmshj2018-hyperprior/mse-q3.safetensors");

    @TempDir
    Path tmp;

    /** Record {@code index} of a run's {@code train.jsonl}. */
    private static JsonNode logRecord(Path run, int index) throws Exception {
        return new ObjectMapper().readTree(Files.readAllLines(run.resolve("train.jsonl"), StandardCharsets.UTF_8).get(index));
    }

    private static byte[] bytes(SafeTensors.Tensor t) {
        ByteBuffer b = t.data().duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static boolean isTable(String key) {
        return Arrays.asList("_quantized_cdf", "_offset", "_cdf_length", "scale_table").contains(key.substring(key.lastIndexOf('.') + 1));
    }

    @Test
    void startsMbt2018MeanFromAHyperpriorRun() throws Exception {
        Path data = CliRun.trainData(tmp);
        Path hyper = tmp.resolve("hyper");
        CliRun run = CliRun.trainTiny("bmshj2018-hyperprior", data, hyper, "--steps", "1");
        assertEquals(0, run.status(), run.toString());
        Path source = hyper.resolve("checkpoint-00000001.safetensors");

        // Zero steps: the checkpoint holds the model as the warm start left it. The run folder stands for its latest model file.
        Path mbt = tmp.resolve("mbt");
        run = CliRun.trainTiny("mbt2018-mean", data, mbt, "--steps", "0", "--init", hyper.toString());
        assertEquals(0, run.status(), run.toString());

        Map<String, SafeTensors.Tensor> src = SafeTensors.read(source);
        Map<String, SafeTensors.Tensor> fresh;
        // The initialization the command draws: the engine seeded with --seed (1) before the build.
        Engine.getInstance().setRandomSeed(1);
        try (CompressionModel model = Tinify.build("mbt2018-mean", Map.of("N", 8, "M", 12))) {
            fresh = StateDicts.save(model, StateDicts.Precision.FULL);
        }
        List<String> matching = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        fresh.forEach((k, t) -> {
            SafeTensors.Tensor s = src.get(k);
            if (s != null && !isTable(k) && Arrays.equals(s.shape(), t.shape())) {
                matching.add(k);
            } else if (!isTable(k)) {
                kept.add(k);
            }
        });
        assertTrue(matching.contains("g_a.0.weight") && kept.contains("h_s.4.weight"), matching + " / " + kept);

        String first = Files.readAllLines(mbt.resolve("train.jsonl"), StandardCharsets.UTF_8).get(0);
        JsonNode init = new ObjectMapper().readTree(first);
        assertEquals("init", init.get("event").asText(), first);
        assertEquals(source.toAbsolutePath().toString(), init.get("files").get(0).asText());
        assertEquals(matching.size(), init.get("taken").asInt(), first);
        assertEquals(fresh.size(), init.get("of").asInt(), first);
        assertTrue(run.err().contains("initialized " + matching.size() + " of " + fresh.size()), run.toString());

        Map<String, SafeTensors.Tensor> after = SafeTensors.read(mbt.resolve("checkpoint-00000000.safetensors"));
        for (String k : matching) {
            assertArrayEquals(bytes(src.get(k)), bytes(after.get(k)), k + " is taken from the source");
        }
        for (String k : kept) {
            assertArrayEquals(bytes(fresh.get(k)), bytes(after.get(k)), k + " keeps its fresh initialization");
        }
        assertTrue(after.get("gaussian_conditional._quantized_cdf").elements() > 0, "the tables are rebuilt");

        // Two files, the later winning where both fit: every entry comes from the hyperprior where it fits, else from mbt
        // (another seed, so that an entry left at its initialization would differ from mbt's).
        Path both = tmp.resolve("both");
        run = CliRun.trainTiny("mbt2018-mean", data, both, "--steps", "0", "--seed", "2", "--init", mbt + "," + source);
        assertEquals(0, run.status(), run.toString());
        Map<String, SafeTensors.Tensor> mixed = SafeTensors.read(both.resolve("checkpoint-00000000.safetensors"));
        for (String k : matching) {
            assertArrayEquals(bytes(src.get(k)), bytes(mixed.get(k)), k + " is taken from the later file");
        }
        for (String k : kept) {
            assertArrayEquals(bytes(after.get(k)), bytes(mixed.get(k)), k + " is taken from the earlier file, the later one does not fit");
        }
        assertTrue(run.err().contains("initialized " + (matching.size() + kept.size()) + " of " + fresh.size()), run.toString());
    }

    @Test
    void aContextModelStartedAsAPassThroughCostsWhatItsHyperpriorCosts() throws Exception {
        Path data = CliRun.trainData(tmp);
        Path hyper = SHIPPED_Q3;
        Path passing = tmp.resolve("passing");
        CliRun run = CliRun.trainTiny("hyperprior-context", data, passing, "--set", "N=64", "--set", "M=96", "--steps", "0",
                "--init", hyper.toString(), "--pass-through", "entropy_parameters:96");
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.err().contains("entropy_parameters starts as a pass-through of its first 96 input channels"), run.toString());
        JsonNode event = logRecord(passing, 1);
        assertEquals("pass_through", event.get("event").asText());
        assertEquals(96, event.get("channels").asInt());
        Path plain = tmp.resolve("plain");
        run = CliRun.trainTiny("hyperprior-context", data, plain, "--set", "N=64", "--set", "M=96", "--steps", "0", "--init", hyper.toString());
        assertEquals(0, run.status(), run.toString());

        RgbImage image = ImageFiles.read(data.resolve("00000.png"));
        double base = bits("bmshj2018-hyperprior", hyper, image);
        double passed = bits("hyperprior-context", passing.resolve("checkpoint-00000000.safetensors"), image);
        double fresh = bits("hyperprior-context", plain.resolve("checkpoint-00000000.safetensors"), image);
        assertEquals(base, passed, 0.02 * base, "the hyperprior's scales pass through, with means near zero");
        assertTrue(fresh > 1.5 * base, "fresh entropy parameters cost " + fresh + " bits against " + base);
    }

    /** The estimated bits of {@code image} under {@code spec} (N=64, M=96) with {@code weights}, in evaluation. */
    private static double bits(String spec, Path weights, RgbImage image) throws Exception {
        try (CompressionModel model = Tinify.build(spec, Map.of("N", 64, "M", 96)); NDManager m = NDManager.newBaseManager()) {
            Tinify.load(model, weights);
            model.train(false);
            double bits = 0;
            for (NDArray l : model.forward(image.toNDArray(m)).likelihoods().values()) {
                for (float p : l.toFloatArray()) {
                    bits -= Math.log(p) / Math.log(2);
                }
            }
            return bits;
        }
    }

    @Test
    void aGrownModelDecodesWhatTheNarrowerOneDid() throws Exception {
        Path data = CliRun.trainData(tmp);
        Path narrow = SHIPPED_Q3;
        Path wide = tmp.resolve("wide");
        CliRun run = CliRun.trainTiny("bmshj2018-hyperprior", data, wide, "--set", "N=80", "--set", "M=112", "--steps", "0",
                "--init", narrow.toString(), "--grow");
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.err().matches("(?s).*initialized \\d+ of \\d+ state-dict entries .* \\(\\d+ grown into wider tensors\\).*"), run.toString());

        RgbImage image = ImageFiles.read(data.resolve("00000.png"));
        try (CompressionModel small = Tinify.build("bmshj2018-hyperprior", Map.of("N", 64, "M", 96));
                CompressionModel grown = Tinify.build("bmshj2018-hyperprior", Map.of("N", 80, "M", 112));
                NDManager m = NDManager.newBaseManager()) {
            Tinify.load(small, narrow);
            Tinify.load(grown, wide.resolve("checkpoint-00000000.safetensors"));
            small.train(false);
            grown.train(false);
            CompressionModel.ForwardResult a = small.forward(image.toNDArray(m));
            CompressionModel.ForwardResult b = grown.forward(image.toNDArray(m));
            float[] xa = a.xHat().toFloatArray();
            float[] xb = b.xHat().toFloatArray();
            for (int i = 0; i < xa.length; i++) {
                assertEquals(xa[i], xb[i], 1e-4, "x_hat at " + i);
            }
            // the old latent channels cost what they did; the 16 new ones come on top
            float[] la = a.likelihoods().get("y").toFloatArray();
            float[] lb = b.likelihoods().get("y").toFloatArray();
            for (int i = 0; i < la.length; i++) {
                assertEquals(la[i], lb[i], 1e-4 * Math.max(1, la[i]), "likelihood of y at " + i);
            }
            assertEquals(la.length * 112 / 96, lb.length);
        }

        // Without --grow only the entries whose shape does not depend on N or M are taken (biases of 3 channels and the like).
        JsonNode withGrow = logRecord(wide, 0);
        run = CliRun.trainTiny("bmshj2018-hyperprior", data, tmp.resolve("plain"), "--set", "N=80", "--set", "M=112", "--steps", "0",
                "--init", narrow.toString());
        assertEquals(0, run.status(), run.toString());
        JsonNode plain = logRecord(tmp.resolve("plain"), 0);
        assertEquals(0, plain.get("grown").asInt());
        assertEquals(plain.get("taken").asInt() + withGrow.get("grown").asInt(), withGrow.get("taken").asInt(), withGrow + " / " + plain);
        assertEquals(withGrow.get("of").asInt() - 7, withGrow.get("taken").asInt(), "every entry but the 6 CDF tables and the scale table: " + withGrow);
    }

    @Test
    void passThroughNamesWhatItCannotStart() throws Exception {
        Path data = CliRun.trainData(tmp);
        CliRun run = CliRun.trainTiny("hyperprior-context", data, tmp.resolve("a"), "--steps", "0", "--pass-through", "g_a");
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.err().contains("cannot start 'g_a' as a pass-through: found layer 0 Conv2d(3→8, k5, s2, p2)"), run.toString());
        run = CliRun.trainTiny("hyperprior-context", data, tmp.resolve("b"), "--steps", "0", "--pass-through", "entropy_parameters:40");
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.err().contains("cannot pass 40 channels through 'entropy_parameters': its narrowest layer has 24"), run.toString());
        run = CliRun.trainTiny("hyperprior-context", data, tmp.resolve("c"), "--steps", "0", "--pass-through", "entropy_parameters:x");
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.err().contains("--pass-through entropy_parameters:x: expected MODULE or MODULE:CHANNELS"), run.toString());
        run = CliRun.trainTiny("hyperprior-context", data, tmp.resolve("d"), "--steps", "0", "--pass-through", "context");
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.err().contains("no such top-level module") && run.err().contains("entropy_parameters"), run.toString());
        for (String name : List.of("a", "b", "c", "d")) {
            assertFalse(Files.exists(tmp.resolve(name).resolve("latest.json")), "nothing trained");
        }
    }

    @Test
    void refusesWeightsWithoutAMatchingParameter() throws Exception {
        Path data = CliRun.trainData(tmp);
        Path other = tmp.resolve("other.safetensors");
        Map<String, SafeTensors.Tensor> unrelated = new LinkedHashMap<>();
        unrelated.put("encoder.conv.weight", SafeTensors.Tensor.ofFloats(new float[6], 2, 3));
        try (var os = Files.newOutputStream(other)) {
            SafeTensors.write(unrelated, os);
        }
        CliRun run = CliRun.trainTiny("mbt2018-mean", data, tmp.resolve("run"), "--steps", "1", "--init", other.toString());
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.err().contains("no parameter of mbt2018-mean") && run.err().contains(other.toString()), run.toString());
        assertFalse(Files.exists(tmp.resolve("run").resolve("latest.json")), "nothing trained");
    }

    @Test
    void namesAMissingOrForeignFile() throws Exception {
        Path data = CliRun.trainData(tmp);
        Path missing = tmp.resolve("missing.safetensors");
        CliRun run = CliRun.trainTiny("mbt2018-mean", data, tmp.resolve("run"), "--steps", "1", "--init", missing.toString());
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.err().contains(missing + ": no such weight file"), run.toString());

        Path text = tmp.resolve("notes.safetensors");
        Files.writeString(text, "these are not tensors");
        run = CliRun.trainTiny("mbt2018-mean", data, tmp.resolve("run"), "--steps", "1", "--init", text.toString());
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.err().contains(text.toString()) && run.err().contains("safetensors"), run.toString());
    }

    @Test
    void refusesInitWithResume() throws Exception {
        Path data = CliRun.trainData(tmp);
        CliRun run = CliRun.trainTiny("mbt2018-mean", data, tmp.resolve("run"), "--steps", "1", "--init", "a.safetensors", "--resume",
                tmp.resolve("run").toString());
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.err().contains("--init") && run.err().contains("--resume"), run.toString());
    }
}
