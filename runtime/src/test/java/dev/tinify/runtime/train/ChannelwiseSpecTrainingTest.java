package dev.tinify.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * minnen2020-channelwise, written with graph modules (two hyper-synthesis branches, per-slice
 * mean and scale transforms over sliced inputs, latent residual prediction): its shapes follow the
 * paper, it trains with the shipped trainer with gradients reaching every branch, and a photograph
 * round-trips through its bitstreams exactly.
 */
@ExtendWith(OnePyTorchThread.class)
class ChannelwiseSpecTrainingTest {
    private static final int STEPS = 3;
    private static final int M = 16;
    private static final int SLICE = M / 4;
    /** The slice transforms' widths at N = 8: N + N//6 and N*2//3. */
    private static final int HIDDEN = 9;
    private static final int HIDDEN2 = 5;

    @TempDir
    Path tmp;

    @Test
    void channelwiseTrainsAndRoundTripsExactly() throws Exception {
        Path data = TrainFixtures.someCrops(tmp.resolve("data"), 2);
        Engine.getInstance().setRandomSeed(11);
        try (CompressionModel model = SpecCompiler.compile(TrainFixtures.spec("minnen2020-channelwise"),
                Map.of("N", 8, "M", M))) {
            var state = model.stateDict();
            for (int k = 0; k < 4; k++) {
                String slice = "latent_codec.y.latent_codec.y" + k + ".";
                // The paper's inputs: hyper means (M) and the k earlier slices; LRP also the slice itself.
                assertArrayEquals(new long[] {HIDDEN, M + k * SLICE, 5, 5},
                        state.get(slice + "y.entropy_parameters.means.0.weight").value().getShape().getShape(), slice);
                assertArrayEquals(new long[] {HIDDEN, M + k * SLICE, 5, 5},
                        state.get(slice + "y.entropy_parameters.scales.0.weight").value().getShape().getShape(), slice);
                assertArrayEquals(new long[] {HIDDEN, M + (k + 1) * SLICE, 5, 5},
                        state.get(slice + "prediction.lrp.0.weight").value().getShape().getShape(), slice);
                assertArrayEquals(new long[] {SLICE, HIDDEN2, 3, 3},
                        state.get(slice + "prediction.lrp.4.weight").value().getShape().getShape(), slice);
            }
            assertTrue(state.containsKey("latent_codec.hyper.h_s.scales.0.weight"), "separate scale branch");
            assertTrue(state.containsKey("latent_codec.hyper.h_s.means.0.weight"), "separate mean branch");

            List<String> watched = List.of("latent_codec.hyper.h_s.scales.0.weight", "latent_codec.hyper.h_s.means.0.weight",
                    "latent_codec.y.latent_codec.y0.y.entropy_parameters.scales.0.weight",
                    "latent_codec.y.latent_codec.y3.y.entropy_parameters.means.0.weight",
                    "latent_codec.y.latent_codec.y0.prediction.lrp.0.weight", "latent_codec.y.latent_codec.y3.prediction.lrp.4.weight");
            TrainFixtures.trainUpdating(model, data, tmp.resolve("out"), STEPS, watched, "no gradient reached this branch");

            try (NDManager m = NDManager.newBaseManager()) {
                TrainFixtures.LatentRoundTrip r = TrainFixtures.assertExactRoundTrip(model, m);
                assertEquals(5, r.coded().strings().size(), "four slice streams and the z stream");
                assertNotEquals(0f, r.decoded().sub(r.y().round()).abs().max().getFloat(), "LRP moves the latent off the integer grid");
            }
        }
    }
}
