package dev.tinify.runtime.codecs.context;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.codecs.GaussianConditionalLatentCodec;
import dev.tinify.runtime.codecs.GaussianConditionalLatentCodec.Chunks;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.codecs.Parts;
import dev.tinify.runtime.codecs.Quantizer;
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
import org.junit.jupiter.api.Test;

/**
 * Repeated forward / compress / decompress through the context codecs leave no arrays behind in
 * the model's manager, whether the codecs own their parts or the caller registered them.
 */
class ContextCodecMemoryTest {

    private static GaussianConditional gaussian(NDManager m) {
        GaussianConditional gc = new GaussianConditional(m);
        gc.update(true);
        return gc;
    }

    private static void assertStable(NDManager model, LatentCodec codec, int channels, int side) {
        int before = -1;
        for (int i = 0; i < 4; i++) {
            try (NDManager work = model.newSubManager()) {
                NDArray y = work.randomNormal(0, 3, new Shape(1, channels, 4, 6), DataType.FLOAT32);
                NDArray params = work.randomNormal(0, 1, new Shape(1, side, 4, 6), DataType.FLOAT32);
                codec.forward(y, params);
                LatentCodec.CompressOut out = codec.compress(y, params);
                codec.decompress(work, out.strings(), out.shape(), params);
            }
            int now = model.getManagedArrays().size();
            if (i == 0) {
                before = now;
            }
            assertEquals(before, now, "arrays in the model manager after iteration " + i);
        }
    }

    @Test
    void rasterScanWithExternalPartsDoesNotGrowTheModelManager() {
        try (NDManager model = NDManager.newBaseManager()) {
            int c = 4;
            int side = 8;
            Sequential ep = new Sequential(Conv2d.conv1x1(model, side + 2 * c, 3 * c), Activation.leakyRelu(),
                    Conv2d.conv1x1(model, 3 * c, 2 * c));
            RasterScanLatentCodec codec = new RasterScanLatentCodec(gaussian(model), ep,
                    new MaskedConv2d(model, c, 2 * c, 5, MaskedConv2d.MaskType.A), Parts.EXTERNAL);
            assertStable(model, codec, c, side);
        }
    }

    @Test
    void channelGroupsOfCheckerboardsDoNotGrowTheModelManager() {
        try (NDManager model = NDManager.newBaseManager()) {
            int side = 8;
            int[] groups = {2, 3};
            LatentCodec[] codecs = new LatentCodec[2];
            for (int k = 0; k < 2; k++) {
                int g = groups[k];
                Sequential ep = new Sequential(Conv2d.conv1x1(model, 2 * g + (k > 0 ? 4 : 0) + side, 2 * g));
                codecs[k] = new CheckerboardLatentCodec(
                        new GaussianConditionalLatentCodec(gaussian(model), null, Quantizer.STE, Chunks.SCALES_MEANS,
                                Parts.CHILDREN),
                        ep, new CheckerboardMaskedConv2d(model, g, 2 * g, 5, MaskedConv2d.MaskType.A), Chunks.SCALES_MEANS,
                        AnchorParity.EVEN, k == 0 ? ForwardMethod.TWOPASS : ForwardMethod.TWOPASS_FASTER, Parts.CHILDREN);
            }
            ChannelGroupsLatentCodec codec = new ChannelGroupsLatentCodec(groups, ContextGroups.ALL_PREVIOUS,
                    List.of(new Sequential(new Conv2d(model, 2, 4, 5, 1))), List.of(codecs), Parts.CHILDREN);
            assertStable(model, codec, 5, side);
        }
    }
}
