package dev.tinify.runtime.entropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.tinify.runtime.ops.GradientCut;
import org.junit.jupiter.api.Test;

/**
 * The rate gradient reaching the Gaussian scales through their lower bound (0.11) follows
 * CompressAI's rule in training: through where the scale is at or above the bound, and below it
 * only where it pushes the scale up. Expected values are central differences of the bin
 * likelihood in double precision.
 */
class ScaleBoundGradientTest {
    private static final double BOUND = 0.11;
    // scale below the bound with a near-zero value (rate wants a smaller scale: blocked), below
    // the bound with a far value (wants a larger scale: passes), and above the bound.
    private static final float[] SCALES = {0.02f, 0.05f, 0.03f, 0.08f, 0.5f, 1.2f, 0.3f};
    private static final float[] VALUES = {0.0f, 0.2f, 0.6f, -0.9f, 0.1f, 3.0f, -0.7f};

    /** d/ds of -log2 P(|v| bin) under N(0, s), at s. */
    private static double rateSlope(double v, double s) {
        double h = 1e-6;
        return (rate(v, s + h) - rate(v, s - h)) / (2 * h);
    }

    private static double rate(double v, double s) {
        double a = Math.abs(v);
        double p = GaussianMath.normalCdf((0.5 - a) / s) - GaussianMath.normalCdf((-0.5 - a) / s);
        return -Math.log(p) / Math.log(2);
    }

    private static float[] gradient(boolean exact) {
        try (NDManager m = NDManager.newBaseManager(); NDManager step = m.newSubManager()) {
            GaussianConditional gc = new GaussianConditional(m);
            NDArray p = m.create(SCALES);
            p.setRequiresGradient(true);
            NDArray v = m.create(VALUES);
            try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                // scales as an intermediate of the graph, as h_s outputs them
                NDArray scales = p.mul(p.onesLike());
                if (exact) {
                    try (GradientCut cut = GradientCut.open(step)) {
                        cut.backward(rateOf(gc, v, scales));
                    }
                } else {
                    c.backward(rateOf(gc, v, scales));
                }
            }
            return p.getGradient().toFloatArray();
        }
    }

    private static NDArray rateOf(GaussianConditional gc, NDArray v, NDArray scales) {
        return gc.likelihood(v, scales, null).log2().neg().sum();
    }

    @Test
    void belowTheBoundOnlyUpwardGradientsPass() {
        float[] g = gradient(true);
        int blocked = 0;
        for (int i = 0; i < SCALES.length; i++) {
            double slope = rateSlope(VALUES[i], Math.max(SCALES[i], BOUND));
            double expected = SCALES[i] >= BOUND || slope < 0 ? slope : 0;
            blocked += expected == 0 ? 1 : 0;
            assertEquals(expected, g[i], 1e-3 * Math.max(1, Math.abs(expected)), "scale " + SCALES[i] + ", value " + VALUES[i]);
        }
        assertEquals(2, blocked, "the two near-zero values below the bound are blocked");
    }

    @Test
    void withoutACutTheBoundPassesEveryGradient() {
        float[] g = gradient(false);
        for (int i = 0; i < SCALES.length; i++) {
            double slope = rateSlope(VALUES[i], Math.max(SCALES[i], BOUND));
            assertEquals(slope, g[i], 1e-3 * Math.max(1, Math.abs(slope)), "scale " + SCALES[i] + ", value " + VALUES[i]);
        }
        assertTrue(g[0] > 0, "identity gradient pushes a scale below the bound further down");
    }
}
