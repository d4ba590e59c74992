package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tinify.Tinify;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.StateDicts;
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
    @TempDir
    Path tmp;

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
