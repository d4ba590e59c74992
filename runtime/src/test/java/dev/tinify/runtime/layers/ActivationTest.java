package dev.tinify.runtime.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/** Activations against their definitions. */
class ActivationTest {
    private static final float[] X = {-4f, -1.5f, -0.3f, 0f, 0.3f, 1.5f, 4f};

    @Test
    void reluAndLeakyRelu() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertArrayEquals(new float[] {0, 0, 0, 0, 0.3f, 1.5f, 4}, Activation.relu().forward(m.create(X)).toFloatArray());
            assertArrayEquals(new float[] {-0.04f, -0.015f, -0.003f, 0, 0.3f, 1.5f, 4},
                    Activation.leakyRelu().forward(m.create(X)).toFloatArray(), 1e-7f);
            assertArrayEquals(new float[] {-0.8f, -0.3f, -0.06f, 0, 0.3f, 1.5f, 4},
                    Activation.leakyRelu(0.2f).forward(m.create(X)).toFloatArray(), 1e-7f);
        }
    }

    /** The slope a fast path reads must be the one the forward applies below zero. */
    @Test
    void slopeIsTheNegativeSideFactor() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (Activation a : new Activation[] {Activation.relu(), Activation.leakyRelu(), Activation.leakyRelu(0.2f)}) {
                float below = a.forward(m.create(new float[] {-2f})).toFloatArray()[0];
                assertEquals(below, -2f * a.slope(), 0f, a.describe());
            }
            assertEquals(0.01f, Activation.leakyRelu().slope(), 0f, "PyTorch's default");
        }
    }

    /** Exact GELU: x·Φ(x) = x·(1 + erf(x/√2))/2, with erf from its Maclaurin series in double. */
    @Test
    void geluIsTheErfForm() {
        float[] expected = new float[X.length];
        for (int i = 0; i < X.length; i++) {
            expected[i] = (float) (X[i] * 0.5 * (1 + erf(X[i] / Math.sqrt(2))));
        }
        try (NDManager m = NDManager.newBaseManager()) {
            float[] got = Activation.gelu().forward(m.create(X)).toFloatArray();
            double err = TestTensors.maxAbsDiff(got, expected);
            assertTrue(err < 1e-6, "GELU error " + err);
        }
    }

    @Test
    void sigmoid() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] got = Activation.sigmoid().forward(m.create(X)).toFloatArray();
            for (int i = 0; i < X.length; i++) {
                assertEquals(1 / (1 + Math.exp(-X[i])), got[i], 1e-7);
            }
        }
    }

    private static double erf(double z) {
        double sum = 0;
        double term = z;
        for (int n = 0; n < 60; n++) {
            sum += term / (2 * n + 1);
            term *= -z * z / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }
}
