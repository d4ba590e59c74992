package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tinify.Codec;
import dev.tinify.dsl.Metric;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.reference.ReferenceCase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** import: a PyTorch checkpoint converted once into safetensors with its parameters inferred from the shapes. */
class ImportCommandTest {
    private static final Path FIXTURES = ReferenceCase.sharedDir().resolve("fixtures");

    @TempDir
    Path dir;

    @Test
    void trainingCheckpointBecomesTheCasesStateDictWithItsSizes() throws Exception {
        Path out = dir.resolve("hyperprior.safetensors");
        CliRun run = CliRun.of("import", FIXTURES.resolve("checkpoints/hyperprior-trainer.pth.tar").toString(),
                "-m", "bmshj2018-hyperprior", "-o", out.toString());
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.out().contains("inferred N, M"), run.out());
        assertTrue(run.err().contains("computed its 7 empty CDF table tensors"), run.err());

        Map<String, Tensor> expected = SafeTensors.read(FIXTURES.resolve("bmshj2018-hyperprior/state_dict.safetensors"));
        Map<String, Tensor> written = SafeTensors.read(out);
        assertEquals(expected.keySet(), written.keySet());
        expected.forEach((k, t) -> {
            assertArrayEquals(t.shape(), written.get(k).shape(), k);
            assertEquals(t.data().duplicate().rewind(), written.get(k).data().duplicate().rewind(), k);
        });
        JsonNode meta = new ObjectMapper().readTree(dir.resolve("hyperprior.json").toFile());
        assertEquals(16, meta.path("params").path("N").asInt());
        assertEquals(24, meta.path("params").path("M").asInt());

        // The written file is used without --set: the sizes come from the .json beside it.
        try (Codec imported = Codec.open("bmshj2018-hyperprior", 3, Metric.MSE, Map.of(), out);
                Codec reference = Codec.open("bmshj2018-hyperprior", 3, Metric.MSE, Map.of("N", 16, "M", 24),
                        FIXTURES.resolve("bmshj2018-hyperprior/state_dict.safetensors"))) {
            assertEquals(reference.weightsFingerprint(), imported.weightsFingerprint());
        }
    }

    @Test
    void refusedCheckpointWritesNothing() {
        Path out = dir.resolve("evil.safetensors");
        CliRun run = CliRun.of("import", FIXTURES.resolve("checkpoints/evil-system-zip.pth.tar").toString(),
                "-m", "bmshj2018-factorized", "-o", out.toString());
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.err().contains("posix.system"), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(Path.of("tinify-pwned-marker")));
    }
}
