package dev.tinify.runtime.codecs.context;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.codecs.GaussianConditionalLatentCodec.Chunks;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.codecs.Parts;
import dev.tinify.runtime.codecs.context.ChannelGroupsLatentCodec.ContextGroups;
import dev.tinify.runtime.codecs.context.CheckerboardLatentCodec.AnchorParity;
import dev.tinify.runtime.codecs.context.CheckerboardLatentCodec.ForwardMethod;
import dev.tinify.runtime.entropy.GaussianConditional;
import dev.tinify.runtime.layers.Activation;
import dev.tinify.runtime.layers.CheckerboardMaskedConv2d;
import dev.tinify.runtime.layers.Conv2d;
import dev.tinify.runtime.layers.MaskedConv2d;
import dev.tinify.runtime.layers.Sequential;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The context codecs nest inside each other: channel groups of checkerboards (even and odd
 * anchors) whose halves are coded in raster order. Random weights; the properties checked are
 * exact round trips, quantization error bounds and consistent shapes and names.
 */
class CompositionTest {

    private static GaussianConditional gaussian(NDManager m) {
        GaussianConditional gc = new GaussianConditional(m);
        gc.update(true);
        return gc;
    }

    /** Raster-scan codec of {@code c} channels taking {@code p} side-parameter channels. */
    private static RasterScanLatentCodec rasterScan(NDManager m, int c, int p) {
        Sequential ep = new Sequential(Conv2d.conv1x1(m, p + 2 * c, 3 * c), Activation.leakyRelu(),
                Conv2d.conv1x1(m, 3 * c, 2 * c));
        return new RasterScanLatentCodec(gaussian(m), ep, new MaskedConv2d(m, c, 2 * c, 5, MaskedConv2d.MaskType.A),
                Parts.CHILDREN);
    }

    @Test
    void groupsGivingDifferentStreamCountsAreRejected() {
        int side = 8;
        int g0 = 3;
        int g1 = 5;
        try (NDManager m = NDManager.newBaseManager()) {
            // group 0 in raster order (1 stream), group 1 a checkerboard (2 streams)
            LatentCodec first = rasterScan(m, g0, side);
            Sequential cbParams = new Sequential(Conv2d.conv1x1(m, 2 * g1 + 4 + side, 2 * g1));
            LatentCodec second = new CheckerboardLatentCodec(rasterScan(m, g1, 2 * g1), cbParams,
                    new CheckerboardMaskedConv2d(m, g1, 2 * g1, 5, MaskedConv2d.MaskType.A), Chunks.SCALES_MEANS,
                    AnchorParity.EVEN, ForwardMethod.TWOPASS, Parts.CHILDREN);
            ChannelGroupsLatentCodec codec = new ChannelGroupsLatentCodec(new int[] {g0, g1}, ContextGroups.ALL_PREVIOUS,
                    List.of(new Sequential(new Conv2d(m, g0, 4, 5, 1))), List.of(first, second), Parts.CHILDREN);
            NDArray y = m.zeros(new Shape(1, g0 + g1, 4, 6));
            NDArray params = m.zeros(new Shape(1, side, 4, 6));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> codec.compress(y, params));
            assertTrue(e.getMessage().contains("same number"), e.getMessage());
        }
    }

    @Test
    void checkerboardOverRasterScanNestedInGroupsRoundTripsExactly() {
        int side = 8;
        int g0 = 3;
        int g1 = 5;
        int h = 5;
        int w = 6;
        try (NDManager m = NDManager.newBaseManager()) {
            LatentCodec[] groups = new LatentCodec[2];
            int[] sizes = {g0, g1};
            for (int k = 0; k < 2; k++) {
                int g = sizes[k];
                int in = 2 * g + (k > 0 ? 4 : 0) + side;
                Sequential cbParams = new Sequential(Conv2d.conv1x1(m, in, 2 * g), Activation.relu(),
                        Conv2d.conv1x1(m, 2 * g, 2 * g));
                groups[k] = new CheckerboardLatentCodec(rasterScan(m, g, 2 * g), cbParams,
                        new CheckerboardMaskedConv2d(m, g, 2 * g, 5, MaskedConv2d.MaskType.A), Chunks.SCALES_MEANS,
                        k == 0 ? AnchorParity.EVEN : AnchorParity.ODD, ForwardMethod.TWOPASS_FASTER, Parts.CHILDREN);
            }
            ChannelGroupsLatentCodec codec = new ChannelGroupsLatentCodec(sizes, ContextGroups.ALL_PREVIOUS,
                    List.of(new Sequential(new Conv2d(m, g0, 4, 5, 1))), List.of(groups), Parts.CHILDREN);
            Random r = new Random(7);
            float[] yv = new float[(g0 + g1) * h * w];
            for (int i = 0; i < yv.length; i++) {
                yv[i] = (float) r.nextGaussian() * 3;
            }
            float[] pv = new float[side * h * w];
            for (int i = 0; i < pv.length; i++) {
                pv[i] = (float) r.nextGaussian();
            }
            NDArray y = m.create(yv, new Shape(1, g0 + g1, h, w));
            NDArray params = m.create(pv, new Shape(1, side, h, w));

            LatentCodec.CompressOut out = codec.compress(y, params);
            assertEquals(4, out.strings().size());
            assertTrue(codec.stateDict().containsKey("latent_codec.y1.y.context_prediction.mask"),
                    codec.stateDict().keySet().toString());
            assertEquals(List.of(List.of(g0, h, w), List.of(g1, h, w)), out.shape());
            NDArray decoded = codec.decompress(m, out.strings(), out.shape(), params);
            assertArrayEquals(out.yHat().toFloatArray(), decoded.toFloatArray());
            // y_hat is a quantization of y: within half a step plus nothing else
            float[] yh = out.yHat().toFloatArray();
            for (int i = 0; i < yv.length; i++) {
                assertTrue(Math.abs(yh[i] - yv[i]) <= 0.5f + 1e-5f, "element " + i + ": " + yv[i] + " -> " + yh[i]);
            }
            LatentCodec.ForwardOut f = codec.forward(y, params);
            assertEquals(y.getShape(), f.likelihoods().get("y").getShape());
            assertEquals(y.getShape(), f.yHat().getShape());
        }
    }
}
