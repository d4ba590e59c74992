package dev.tinify.runtime.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.layers.MaskedConv2d.MaskType;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Masks of the raster-scan and checkerboard masked convolutions, against CompressAI's stored masks and causality. */
class MaskedConv2dTest {

    @Test
    void rasterMaskEqualsMbt2018s() throws IOException {
        Map<String, Tensor> sd = ReferenceCase.fixture("mbt2018").stateDict();
        try (NDManager m = NDManager.newBaseManager()) {
            MaskedConv2d conv = new MaskedConv2d(m, 24, 48, 5, MaskType.A);
            assertEquals(TestTensors.keyShapes(sd, "context_prediction."), TestTensors.keyShapes(conv));
            assertArrayEquals(sd.get("context_prediction.mask").toFloats(), conv.mask().toFloatArray());
        }
    }

    @Test
    void checkerboardMaskEqualsCheng2020Checkerboards() throws IOException {
        Map<String, Tensor> sd = ReferenceCase.fixture("cheng2020-anchor-checkerboard").stateDict();
        String prefix = "latent_codec.y.context_prediction.";
        try (NDManager m = NDManager.newBaseManager()) {
            CheckerboardMaskedConv2d conv = new CheckerboardMaskedConv2d(m, 16, 32, 5, MaskType.A);
            assertEquals(TestTensors.keyShapes(sd, prefix), TestTensors.keyShapes(conv));
            assertArrayEquals(sd.get(prefix + "mask").toFloats(), conv.mask().toFloatArray());
        }
    }

    @Test
    void patternsOfTypeB() {
        float[] raster = MaskedConv2d.rasterPattern(3, MaskType.B);
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 0, 0, 0, 0}, raster);
        float[] board = CheckerboardMaskedConv2d.checkerboardPattern(3, MaskType.B);
        assertArrayEquals(new float[] {0, 1, 0, 1, 1, 1, 0, 1, 0}, board);
    }

    /** With a stride and no padding the output shrinks as a plain convolution's, and the mask is unchanged. */
    @Test
    void generalStrideAndPadding() {
        try (NDManager m = NDManager.newBaseManager()) {
            MaskedConv2d raster = new MaskedConv2d(m, 2, 3, 3, 2, 0, MaskType.B);
            CheckerboardMaskedConv2d board = new CheckerboardMaskedConv2d(m, 2, 3, 3, 2, 0, MaskType.A);
            NDArray x = TestTensors.uniform(m, 1, DataType.FLOAT32, 1, 2, 7, 9);
            assertArrayEquals(new long[] {1, 3, 3, 4}, raster.forward(x).getShape().getShape());
            assertArrayEquals(new long[] {1, 3, 3, 4}, board.forward(x).getShape().getShape());
            assertEquals(2, raster.downsampling());
            float[] pattern = CheckerboardMaskedConv2d.checkerboardPattern(3, MaskType.A);
            float[] mask = board.mask().toFloatArray();
            for (int i = 0; i < mask.length; i++) {
                assertEquals(pattern[i % 9], mask[i]);
            }
        }
    }

    /** Changing the input at or after a position (raster order) leaves a type-A output at that position unchanged. */
    @Test
    void rasterOutputIgnoresCurrentAndFuturePositions() {
        try (NDManager m = NDManager.newBaseManager()) {
            MaskedConv2d conv = new MaskedConv2d(m, 2, 3, 5, MaskType.A);
            NDArray x = TestTensors.uniform(m, 1, DataType.FLOAT32, 1, 2, 6, 6);
            float[] before = conv.forward(x).get(new NDIndex(":, :, 3, 2")).toFloatArray();
            NDArray changed = x.duplicate();
            changed.set(new NDIndex(":, :, 3, 2:"), 5f);
            changed.set(new NDIndex(":, :, 4:, :"), -5f);
            float[] after = conv.forward(changed).get(new NDIndex(":, :, 3, 2")).toFloatArray();
            assertTrue(TestTensors.maxAbsDiff(before, after) == 0, "masked output changed");
            changed.set(new NDIndex(":, :, 3, 1"), 5f);
            float[] past = conv.forward(changed).get(new NDIndex(":, :, 3, 2")).toFloatArray();
            assertTrue(TestTensors.maxAbsDiff(before, past) > 0, "a past position must be visible");
        }
    }
}
