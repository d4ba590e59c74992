package dev.tinify.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.layers.Conv2d;
import dev.tinify.runtime.layers.ConvTranspose2d;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Default initialization: PyTorch's fan-in bounds, reproducible from the engine seed. */
class InitTest {

    private static double maxAbs(float[] v) {
        double m = 0;
        for (float f : v) {
            m = Math.max(m, Math.abs(f));
        }
        return m;
    }

    @Test
    void convolutionsUsePyTorchFanInBounds() {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager m = NDManager.newBaseManager()) {
            Conv2d conv = new Conv2d(m, 4, 6, 5, 2);
            double bound = 1 / Math.sqrt(4 * 25);
            float[] w = conv.weight().toFloatArray();
            assertTrue(maxAbs(w) <= bound && maxAbs(w) > 0.9 * bound, "conv weight range " + maxAbs(w));
            assertTrue(maxAbs(conv.bias().toFloatArray()) <= bound);
            // ConvTranspose2d weights are [in, out, k, k]; PyTorch's fan-in is then out·k².
            ConvTranspose2d deconv = new ConvTranspose2d(m, 4, 9, 3, 2);
            double deconvBound = 1 / Math.sqrt(9 * 9);
            float[] dw = deconv.weight().toFloatArray();
            assertTrue(maxAbs(dw) <= deconvBound && maxAbs(dw) > 0.9 * deconvBound, "deconv weight range " + maxAbs(dw));
        }
    }

    @Test
    void theEngineSeedMakesInitReproducible() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(42);
            float[] a = new Conv2d(m, 3, 5, 3, 1).weight().toFloatArray();
            Engine.getInstance().setRandomSeed(42);
            float[] b = new Conv2d(m, 3, 5, 3, 1).weight().toFloatArray();
            Engine.getInstance().setRandomSeed(43);
            float[] c = new Conv2d(m, 3, 5, 3, 1).weight().toFloatArray();
            assertArrayEquals(a, b);
            assertFalse(Arrays.equals(a, c));
        }
    }
}
