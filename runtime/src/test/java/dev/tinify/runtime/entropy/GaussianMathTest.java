package dev.tinify.runtime.entropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** erfc and the normal quantile against high-precision reference values and their derivatives. */
class GaussianMathTest {
    /** erfc(x) to 20 digits (arbitrary-precision evaluation). */
    private static final double[][] ERFC = {
        {-3, 1.9999779095030014146}, {-0.5, 1.5204998778130465377}, {0, 1.0}, {0.1, 0.8875370839817151078},
        {0.5, 0.47950012218695346232}, {1, 0.15729920705028513066}, {2, 0.0046777349810472658379},
        {2.4999, 0.0004071699003334509212}, {2.5, 0.00040695201744495893956}, {3, 0.000022090496998585441373},
        {4.5, 1.9661604415428874763e-10}, {6, 2.1519736712498913117e-17}, {10, 2.088487583762544757e-45},
        {20, 5.3958656116079009289e-176},
    };

    @Test
    void doubleErfcIsAccurateToDoublePrecision() {
        for (double[] r : ERFC) {
            double rel = Math.abs(GaussianMath.erfc(r[0]) - r[1]) / r[1];
            assertTrue(rel < 1e-14, "erfc(" + r[0] + ") relative error " + rel);
        }
    }

    @Test
    void normalQuantileOfTheDefaultTailMass() {
        // -Phi^-1(5e-10) = 6.10941020486939714 (arbitrary precision)
        assertEquals(6.10941020486939714, -GaussianMath.normalQuantile(5e-10), 1e-14);
        assertEquals(0, GaussianMath.normalQuantile(0.5), 1e-15);
        assertEquals(1.959963984540054, GaussianMath.normalQuantile(0.975), 1e-13);
        assertThrows(IllegalArgumentException.class, () -> GaussianMath.normalQuantile(0));
    }

    @Test
    void arrayErfcMatchesDoubleErfcWithinFloatAccuracy() {
        try (NDManager m = NDManager.newBaseManager()) {
            int n = 2001;
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = -5 + 10f * i / (n - 1) + 1e-3f;
            }
            float[] y = GaussianMath.erfc(m.create(x)).toFloatArray();
            double worst = 0;
            for (int i = 0; i < n; i++) {
                double ref = GaussianMath.erfc((double) x[i]);
                worst = Math.max(worst, Math.abs(y[i] - ref) / ref);
            }
            assertTrue(worst < 5e-7, "worst relative error " + worst);
        }
    }

    @Test
    void arrayErfcGradientIsTheGaussianDensity() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] x = {-2.5f, -0.7f, 0.3f, 1.1f, 3.2f};
            NDArray a = m.create(x);
            a.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(GaussianMath.erfc(a).sum());
            }
            float[] g = a.getGradient().toFloatArray();
            for (int i = 0; i < x.length; i++) {
                double ref = -2 / Math.sqrt(Math.PI) * Math.exp(-(double) x[i] * x[i]);
                assertEquals(ref, g[i], 2e-6 * Math.max(1, Math.abs(ref)) + 1e-7, "d erfc / dx at " + x[i]);
            }
        }
    }
}
