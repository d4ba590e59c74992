package dev.tinify.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.compile.SpecCompiler;
import dev.tinify.runtime.model.CompressionModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spectral hyperprior spec (every convolution stored as {@code weight_transformed}) trains with
 * the shipped trainer, every frequency-domain weight receives updates, and afterwards a photograph
 * round-trips through its bitstreams exactly.
 */
@ExtendWith(OnePyTorchThread.class)
class SpectralSpecTrainingTest {
    private static final int STEPS = 4;

    @TempDir
    Path tmp;

    @Test
    void spectralHyperpriorTrainsAndRoundTripsExactly() throws Exception {
        Path data = TrainFixtures.someCrops(tmp.resolve("data"), 2);
        Engine.getInstance().setRandomSeed(7);
        try (CompressionModel model = SpecCompiler.compile(TrainFixtures.spec("bmshj2018-hyperprior-spectral"),
                Map.of("N", 8, "M", 12))) {
            List<String> spectral = model.parameters().keySet().stream().filter(k -> k.endsWith(".weight_transformed")).toList();
            assertEquals(14, spectral.size(), "spectral layers: g_a 4, g_s 4, h_a 3, h_s 3: " + spectral);
            assertFalse(model.stateDict().containsKey("g_a.0.weight"), "no spatial weight is stored");
            assertArrayEquals(new long[] {8, 3, 5, 3, 2}, model.stateDict().get("g_a.0.weight_transformed").value().getShape().getShape());

            TrainFixtures.trainUpdating(model, data, tmp.resolve("out"), STEPS, spectral, "no gradient reached the frequency-domain weights");
            try (NDManager m = NDManager.newBaseManager()) {
                TrainFixtures.assertExactRoundTrip(model, m);
            }
        }
    }
}
