package dev.tinify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tinify.check.ModelChecks;
import dev.tinify.dsl.Metric;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * PyTorch checkpoints through the public API: {@link Tinify#load} and {@link Codec#open} take the
 * files of {@code fixtures/checkpoints} as they take safetensors, and the model then holds its
 * case's state dict bit for bit (CDF tables computed for checkpoints saved before update()).
 */
class PyTorchWeightsTest {
    private static final Path CHECKPOINTS = ReferenceCase.sharedDir().resolve("fixtures").resolve("checkpoints");

    @TestFactory
    List<DynamicTest> everyCheckpointLoadsIntoItsModelOrIsRefused() throws IOException {
        JsonNode index = new ObjectMapper().readTree(CHECKPOINTS.resolve("index.json").toFile());
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode f : index.path("files")) {
            Path file = CHECKPOINTS.resolve(f.path("file").asText());
            String expect = f.path("expect").asText();
            tests.add(DynamicTest.dynamicTest(f.path("file").asText(), () -> {
                ReferenceCase reference = ReferenceCase.fixture(f.path("case").asText());
                List<String> notices = new ArrayList<>();
                try (CompressionModel model = Tinify.build(ModelChecks.architecture(reference), ModelChecks.parameters(reference))) {
                    if (expect.equals("refused")) {
                        TinifyException e = assertThrows(TinifyException.class, () -> Tinify.load(model, file, notices::add));
                        assertTrue(e.getMessage().startsWith(file.toString()) && !e.getMessage().contains("\n"), e.getMessage());
                        return;
                    }
                    Tinify.load(model, file, notices::add);
                    assertEquals(expect.equals("equal-after-update") ? 1 : 0, notices.size(), notices.toString());
                    Map<String, Tensor> ours = StateDicts.save(model, StateDicts.Precision.FULL);
                    Map<String, Tensor> expected = reference.stateDict();
                    assertEquals(expected.keySet(), ours.keySet());
                    expected.forEach((k, t) -> {
                        assertEquals(t.dtype(), ours.get(k).dtype(), k);
                        assertArrayEquals(t.shape(), ours.get(k).shape(), k);
                        assertEquals(t.data().duplicate().rewind(), ours.get(k).data().duplicate().rewind(), k);
                    });
                }
                assertFalse(Files.exists(Path.of("tinify-pwned-marker")));
            }));
        }
        return tests;
    }

    @Test
    void codecTakesACheckpointWhereItTakesSafetensors() {
        Map<String, Integer> params = Map.of("N", 16, "M", 24);
        Path safetensors = ReferenceCase.sharedDir().resolve("fixtures/bmshj2018-hyperprior/state_dict.safetensors");
        try (Codec a = Codec.open("bmshj2018-hyperprior", 3, Metric.MSE, params, CHECKPOINTS.resolve("hyperprior-v11-keys.pth.tar"));
                Codec b = Codec.open("bmshj2018-hyperprior", 3, Metric.MSE, params, safetensors)) {
            assertEquals(b.weightsFingerprint(), a.weightsFingerprint());
        }
    }
}
