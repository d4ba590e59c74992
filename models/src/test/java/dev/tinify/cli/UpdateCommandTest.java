package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.Tinify;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.model.CompressionModel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** update: tables equal to a fresh update(force=true), every other tensor written back as stored. */
class UpdateCommandTest {
    @TempDir
    Path dir;

    private static boolean isTable(String key) {
        return StateDicts.RESIZED_ON_LOAD.contains(key.substring(key.lastIndexOf('.') + 1));
    }

    private static byte[] bytes(SafeTensors.Tensor t) {
        ByteBuffer b = t.data().duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void recomputesTablesAndKeepsTheRest() throws Exception {
        Map<String, Integer> params = Map.of("N", 16, "M", 24);
        Path ckpt = dir.resolve("ckpt.safetensors");
        // A checkpoint saved before any update: empty tables, parameters in half precision.
        try (CompressionModel model = Tinify.build("bmshj2018-hyperprior", params)) {
            try (var os = Files.newOutputStream(ckpt)) {
                SafeTensors.write(StateDicts.save(model, StateDicts.Precision.HALF_PARAMETERS), os);
            }
        }
        Map<String, SafeTensors.Tensor> before = SafeTensors.read(ckpt);
        byte[] original = Files.readAllBytes(ckpt);
        assertEquals(0, before.get("entropy_bottleneck._quantized_cdf").elements(), "the saved tables are empty");

        Path updated = dir.resolve("updated.safetensors");
        CliRun run = CliRun.of("update", ckpt.toString(), "-m", "bmshj2018-hyperprior", "-q", "1", "--set", "N=16", "--set", "M=24",
                "-o", updated.toString());
        assertEquals(0, run.status(), run.toString());
        Map<String, SafeTensors.Tensor> after = SafeTensors.read(updated);
        assertEquals(new ArrayList<>(before.keySet()), new ArrayList<>(after.keySet()), "same keys in the same order");

        try (CompressionModel fresh = Tinify.build("bmshj2018-hyperprior", params)) {
            Tinify.load(fresh, ckpt);
            assertTrue(fresh.update(true));
            Map<String, SafeTensors.Tensor> expected = StateDicts.save(fresh, StateDicts.Precision.FULL);
            List<String> tables = new ArrayList<>();
            for (String key : before.keySet()) {
                SafeTensors.Tensor a = after.get(key);
                if (isTable(key)) {
                    tables.add(key);
                    assertEquals(expected.get(key).dtype(), a.dtype(), key);
                    assertArrayEquals(expected.get(key).shape(), a.shape(), key);
                    assertArrayEquals(bytes(expected.get(key)), bytes(a), key);
                } else {
                    assertEquals(before.get(key).dtype(), a.dtype(), key);
                    assertArrayEquals(bytes(before.get(key)), bytes(a), key);
                }
            }
            // Entropy bottleneck and Gaussian conditional: quantized CDF, offset, length (and the scale table).
            assertTrue(tables.size() >= 6, tables.toString());
            assertTrue(after.get("entropy_bottleneck._quantized_cdf").elements() > 0);
            assertTrue(after.get("gaussian_conditional._quantized_cdf").elements() > 0);
        }
        assertArrayEquals(original, Files.readAllBytes(ckpt), "the input is left alone with -o");
    }

    @Test
    void aCheckpointOfAnotherSizeIsAOneLineError() throws Exception {
        Path ckpt = dir.resolve("small.safetensors");
        try (CompressionModel model = Tinify.build("bmshj2018-hyperprior", Map.of("N", 8, "M", 8));
             var os = Files.newOutputStream(ckpt)) {
            SafeTensors.write(StateDicts.save(model, StateDicts.Precision.FULL), os);
        }
        byte[] original = Files.readAllBytes(ckpt);
        CliRun run = CliRun.of("update", ckpt.toString(), "-m", "bmshj2018-hyperprior", "-q", "1", "--set", "N=16", "--set", "M=24");
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.err().startsWith("tinify update: " + ckpt + ": not a state dict of bmshj2018-hyperprior"), run.err());
        assertTrue(run.err().contains("first: g_a.0.weight: expected F32[16, 3, 5, 5], found F32[8, 3, 5, 5]"), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertArrayEquals(original, Files.readAllBytes(ckpt));
    }
}
