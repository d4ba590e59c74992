package dev.tinify.runtime.pointcloud;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.layers.Activation;
import dev.tinify.runtime.layers.Conv1d;
import dev.tinify.runtime.layers.GroupNorm;
import dev.tinify.runtime.layers.LayerInputException;
import dev.tinify.runtime.layers.Sequential;
import dev.tinify.runtime.reference.ReferenceCase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * hrtzxf2022's encoder (pre_conv, then three density-aware down-sampling layers) against the
 * reference fixture: every FPS and kNN index, the latent points and the latent features the
 * feature entropy bottleneck receives.
 */
class DensityDownsampleTest {
    private static final double RATE = 1.0 / 3;

    /** CompressAI's module tree for the encoder's keys: pre_conv.*, encoder.downsample_layers.<i>.*. */
    private static final class Encoder extends DensityDownsample.Holder {
        final Sequential preConv;
        final List<DensityDownsample> layers = new ArrayList<>();

        Encoder(NDManager m) {
            preConv = childOf("pre_conv", new Sequential(new Conv1d(m, 3, 16, 1, 1), new GroupNorm(m, 2, 16), Activation.relu(),
                    new Conv1d(m, 16, 8, 1, 1)));
            DensityDownsample.Holder encoder = childOf("encoder", new DensityDownsample.Holder());
            DensityDownsample.Holder downs = encoder.childOf("downsample_layers", new DensityDownsample.Holder());
            for (int i = 0; i < 3; i++) {
                layers.add(downs.childOf(Integer.toString(i), new DensityDownsample(m, RATE, 8, 16, 8, 2)));
            }
        }
    }

    @Test
    void theEncoderGivesTheFixtureLatentAndEveryIndex() throws Exception {
        ReferenceCase c = ReferenceCase.fixture("hrtzxf2022-pcc-rec");
        try (NDManager m = NDManager.newBaseManager()) {
            Encoder e = new Encoder(m);
            List<String> taken = StateDicts.loadMatching(e, c.stateDict());
            assertEquals(e.stateDict().size(), taken.size(), "every encoder key is in the fixture's state dict");

            NDArray x = m.create(c.tensor("x").toFloats(), new Shape(1, 512, 3)).transpose(0, 2, 1);
            List<String> calls = new ArrayList<>();
            List<int[]> indices = new ArrayList<>();
            NDArray cloud;
            try (Neighbourhoods.Listening l = Neighbourhoods.listen((op, idx) -> {
                calls.add(op.word());
                indices.add(idx);
            })) {
                cloud = x.concat(e.preConv.forward(x), 1);
                for (DensityDownsample d : e.layers) {
                    cloud = d.forward(cloud);
                }
            }
            assertEquals(new Shape(1, 11, 19), cloud.getShape());
            assertEquals(List.of("fps", "knn", "knn", "fps", "knn", "knn", "fps", "knn", "knn"), calls);
            int fps = 0;
            int knn = 0;
            for (int i = 0; i < calls.size(); i++) {
                String name = "forward." + calls.get(i) + "." + (calls.get(i).equals("fps") ? fps++ : knn++) + ".idx";
                assertArrayEquals(c.tensor(name).toInts(), indices.get(i), name);
            }
            assertArrayEquals(c.tensor("forward.gt_latent_xyz").toFloats(), cloud.get(new NDIndex(":, 0:3, :")).toFloatArray(), 0f);
            assertArrayEquals(c.tensor("forward.latent_codec.feat.entropy_bottleneck.in").toFloats(),
                    cloud.get(new NDIndex(":, 3:, :")).toFloatArray(), 1e-4f);
        }
    }

    @Test
    void centroidsRoundHalfToEvenAsPython() {
        try (NDManager m = NDManager.newBaseManager()) {
            DensityDownsample half = new DensityDownsample(m, 0.5, 2, 4, 2, 1);
            assertEquals(2, half.centroids(5)); // round(2.5) = 2
            assertEquals(4, half.centroids(7)); // round(3.5) = 4
            assertEquals(171, new DensityDownsample(m, RATE, 2, 4, 2, 1).centroids(512));
        }
    }

    @Test
    void aCloudWithOtherChannelsIsRefusedNamingTheLayer() {
        try (NDManager m = NDManager.newBaseManager()) {
            DensityDownsample d = new DensityDownsample(m, RATE, 8, 16, 8, 2);
            LayerInputException e = assertThrows(LayerInputException.class, () -> d.forward(m.zeros(new Shape(1, 3, 30))));
            assertEquals(true, e.getMessage().contains("[B, 11, N]"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new DensityDownsample(m, 0, 8, 16, 8, 2));
            assertThrows(IllegalArgumentException.class, () -> new DensityDownsample(m, RATE, 8, 15, 8, 2));
        }
    }
}
