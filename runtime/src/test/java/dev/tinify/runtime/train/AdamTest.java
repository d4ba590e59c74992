package dev.tinify.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.nn.Param;
import java.util.LinkedHashMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Adam follows torch.optim.Adam's update (one step count per parameter) and its state round-trips. */
class AdamTest {
    private static final float[][] GRADS = {{0.5f, -2f, 0f}, {0.1f, 3f, -1e-3f}, {-0.4f, 0.2f, 7f}};

    /** Parameters "a" (two values) and "b" (one value): a flat gradient's entries 0-1 are a's, entry 2 is b's. */
    private static Map<String, Param> pair(NDManager m, float[] a, float[] b) {
        Map<String, Param> params = new LinkedHashMap<>();
        params.put("a", new Param("a", Param.Kind.PARAMETER, m.create(a)));
        params.put("b", new Param("b", Param.Kind.PARAMETER, m.create(b)));
        return params;
    }

    private static Map<String, Param> single(NDManager m, String name, float[] value) {
        return Map.of(name, new Param(name, Param.Kind.PARAMETER, m.create(value)));
    }

    private static float[] gradient(Random r) {
        float[] g = new float[3];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) r.nextGaussian() * (i + 1);
        }
        return g;
    }

    private static float[] values(Map<String, Param> params, String name) {
        return params.get(name).value().toFloatArray();
    }

    /**
     * "a" is held for 7 steps and then trains for 30 more; from its release it moves exactly as
     * under a fresh Adam over "a" alone fed the same gradients (as torch, whose step count is per
     * parameter), and "b", never held, exactly as under an Adam over "b" alone for all 37 steps.
     * The held steps' gradients for "a" are large, so any moment they leave behind shows.
     */
    @Test
    void aParameterReleasedAfterBeingHeldStepsAsUnderAFreshAdam() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Param> both = pair(m, new float[] {1f, -2f}, new float[] {0.5f});
            Map<String, Param> aAlone = single(m, "a", new float[] {1f, -2f});
            Map<String, Param> bAlone = single(m, "b", new float[] {0.5f});
            Random r = new Random(5);
            try (Adam adam = new Adam(m, both, 0.01); Adam freshA = new Adam(m, aAlone, 0.01); Adam onlyB = new Adam(m, bAlone, 0.01)) {
                adam.hold(Set.of("a"));
                for (int s = 0; s < 37; s++) {
                    if (s == 7) {
                        adam.hold(Set.of());
                    }
                    float[] g = gradient(r);
                    if (s < 7) {
                        g[0] *= 100;
                        g[1] *= 100;
                    }
                    adam.step(m.create(g));
                    onlyB.step(m.create(new float[] {g[2]}));
                    if (s >= 7) {
                        freshA.step(m.create(new float[] {g[0], g[1]}));
                    }
                    assertArrayEquals(values(aAlone, "a"), values(both, "a"), 1e-6f, "a after step " + (s + 1));
                    assertArrayEquals(values(bAlone, "b"), values(both, "b"), 1e-6f, "b after step " + (s + 1));
                }
                assertEquals(30, adam.moments("").get("step.a").toInts()[0]);
                assertEquals(37, adam.moments("").get("step.b").toInts()[0]);
            }
        }
    }

    /** A held parameter's value, moments and step count stay bit for bit, whatever its gradient (NaN included). */
    @Test
    void aHeldParameterKeepsItsValueMomentsAndStepCount() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Param> params = pair(m, new float[] {1f, -2f}, new float[] {0.5f});
            Random r = new Random(11);
            try (Adam adam = new Adam(m, params, 0.01)) {
                for (int s = 0; s < 3; s++) {
                    adam.step(m.create(gradient(r)));
                }
                float[] a = values(params, "a");
                Map<String, SafeTensors.Tensor> before = adam.moments("");
                float[] b = values(params, "b");
                adam.hold(Set.of("a"));
                for (int s = 0; s < 4; s++) {
                    float[] g = gradient(r);
                    g[s % 2] = Float.NaN;
                    adam.step(m.create(g));
                }
                Map<String, SafeTensors.Tensor> after = adam.moments("");
                assertArrayEquals(a, values(params, "a"));
                for (String key : new String[] {"exp_avg.a", "exp_avg_sq.a"}) {
                    assertArrayEquals(before.get(key).toFloats(), after.get(key).toFloats(), key);
                }
                assertTrue(before.get("exp_avg.a").toFloats()[0] != 0, "the held moments were not zero to begin with");
                assertEquals(3, after.get("step.a").toInts()[0]);
                assertEquals(7, after.get("step.b").toInts()[0]);
                assertEquals(7, adam.steps());
                float[] movedB = values(params, "b");
                assertTrue(Float.isFinite(movedB[0]) && movedB[0] != b[0], "b trained on: " + movedB[0]);
            }
        }
    }

    /**
     * The per-parameter step counts are saved and restored: a run interrupted while the counts
     * differ continues exactly as the uninterrupted one; a state without counts (as written before
     * they were kept) gives every parameter the group's count; a count above it or of another type is refused.
     */
    @Test
    void stepCountsRoundTripAndTheContinuedRunEqualsTheUninterruptedOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Param> whole = pair(m, new float[] {1f, -2f}, new float[] {0.5f});
            Random r = new Random(3);
            try (Adam adam = new Adam(m, whole, 0.02)) {
                adam.hold(Set.of("a"));
                for (int s = 0; s < 4; s++) {
                    adam.step(m.create(gradient(r)));
                }
                adam.hold(Set.of());
                adam.step(m.create(gradient(r)));
                Map<String, SafeTensors.Tensor> saved = adam.moments("net.");
                assertEquals(1, saved.get("net.step.a").toInts()[0]);
                assertEquals(5, saved.get("net.step.b").toInts()[0]);
                Map<String, Param> resumed = pair(m, values(whole, "a"), values(whole, "b"));
                try (Adam continued = new Adam(m, resumed, 0.02)) {
                    continued.restore(saved, "net.", adam.steps());
                    assertEquals(saved.keySet(), continued.moments("net.").keySet());
                    for (String key : saved.keySet()) {
                        assertEquals(saved.get(key).data(), continued.moments("net.").get(key).data(), key);
                    }
                    for (int s = 0; s < 5; s++) {
                        float[] g = gradient(r);
                        adam.step(m.create(g));
                        continued.step(m.create(g));
                        assertArrayEquals(values(whole, "a"), values(resumed, "a"), "a after resumed step " + (s + 1));
                        assertArrayEquals(values(whole, "b"), values(resumed, "b"), "b after resumed step " + (s + 1));
                    }
                }
                Map<String, SafeTensors.Tensor> old = new HashMap<>(saved);
                old.remove("net.step.a");
                old.remove("net.step.b");
                try (Adam fromOld = new Adam(m, pair(m, new float[2], new float[1]), 0.02)) {
                    fromOld.restore(old, "net.", 5);
                    assertEquals(5, fromOld.moments("").get("step.a").toInts()[0]);
                    assertEquals(5, fromOld.moments("").get("step.b").toInts()[0]);
                    Map<String, SafeTensors.Tensor> ahead = new HashMap<>(saved);
                    ahead.put("net.step.a", SafeTensors.Tensor.ofInts(new int[] {6}));
                    assertThrows(IllegalArgumentException.class, () -> fromOld.restore(ahead, "net.", 5));
                    Map<String, SafeTensors.Tensor> floats = new HashMap<>(saved);
                    floats.put("net.step.a", SafeTensors.Tensor.ofFloats(new float[] {1f}));
                    assertThrows(IllegalArgumentException.class, () -> fromOld.restore(floats, "net.", 5));
                }
            }
        }
    }

    /** torch.optim.Adam's single-tensor update, in double. */
    private static double[] reference(double[] p, double lr) {
        double[] m = new double[p.length];
        double[] v = new double[p.length];
        for (int t = 1; t <= GRADS.length; t++) {
            for (int i = 0; i < p.length; i++) {
                double g = GRADS[t - 1][i];
                m[i] = 0.9 * m[i] + 0.1 * g;
                v[i] = 0.999 * v[i] + 0.001 * g * g;
                double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(0.999, t)) + 1e-8;
                p[i] -= lr / (1 - Math.pow(0.9, t)) * m[i] / denom;
            }
        }
        return p;
    }

    @Test
    void matchesTorchAdamOverThreeSteps() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Param> params = new LinkedHashMap<>();
            params.put("a", new Param("a", Param.Kind.PARAMETER, m.create(new float[] {1f, 2f})));
            params.put("b", new Param("b", Param.Kind.PARAMETER, m.create(new float[] {-1f})));
            try (Adam adam = new Adam(m, params, 0.01)) {
                for (float[] g : GRADS) {
                    try (NDArray grad = m.create(g)) {
                        adam.step(grad);
                    }
                }
                double[] expected = reference(new double[] {1, 2, -1}, 0.01);
                assertEquals(expected[0], params.get("a").value().getFloat(0), 1e-6);
                assertEquals(expected[1], params.get("a").value().getFloat(1), 1e-6);
                assertEquals(expected[2], params.get("b").value().getFloat(0), 1e-6);
                assertEquals(3, adam.steps());
            }
        }
    }

    /**
     * Two steps worked by hand with torch.optim.Adam's formula (lr 0.01, betas 0.9/0.999, eps 1e-8
     * added to sqrt(v)/sqrt(1 - 0.999^t)). Parameter 1 gets gradients 0.5 then -0.5: step 1 moves it
     * by lr exactly (m-hat 0.5, sqrt(v-hat) 0.5) to 0.99; step 2 has m = -0.005, v = 0.00049975,
     * bias corrections 0.19 and 0.001999, sqrt(v-hat) = 0.5 again, so it moves by 0.01/0.19 * 0.01 =
     * 0.000526316 to 0.990526316. Parameter 2 gets 1e-8 then 0: there sqrt(v-hat) equals eps, so
     * step 1 moves it by lr/2 = 0.005 (an eps inside the square root, or added before the bias
     * correction, would move it by lr or by 0.0003). Parameter 3 gets no gradient and stays put.
     */
    @Test
    void twoStepsEqualTorchsFormulaWorkedByHand() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Param> params = Map.of("w", new Param("w", Param.Kind.PARAMETER, m.create(new float[] {1f, 1f, 1f})));
            try (Adam adam = new Adam(m, params, 0.01)) {
                adam.step(m.create(new float[] {0.5f, 1e-8f, 0f}));
                float[] one = params.get("w").value().toFloatArray();
                assertEquals(0.99, one[0], 2e-7);
                assertEquals(0.995, one[1], 2e-7);
                assertEquals(1.0, one[2], 0);
                adam.step(m.create(new float[] {-0.5f, 0f, 0f}));
                assertEquals(0.990526316, params.get("w").value().getFloat(0), 2e-7);
            }
        }
    }

    @Test
    void restoredStateContinuesIdentically() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Param> p1 = Map.of("w", new Param("w", Param.Kind.PARAMETER, m.create(new float[] {1f, 2f, 3f})));
            Map<String, Param> p2 = Map.of("w", new Param("w", Param.Kind.PARAMETER, m.create(new float[] {1f, 2f, 3f})));
            try (Adam a = new Adam(m, p1, 0.05); Adam b = new Adam(m, p2, 0.05)) {
                a.step(m.create(GRADS[0]));
                b.step(m.create(GRADS[0]));
                Map<String, SafeTensors.Tensor> saved = a.moments("net.");
                try (Adam c = new Adam(m, p2, 0.05)) {
                    c.restore(saved, "net.", a.steps());
                    a.step(m.create(GRADS[1]));
                    c.step(m.create(GRADS[1]));
                    assertArrayEquals(p1.get("w").value().toFloatArray(), p2.get("w").value().toFloatArray());
                }
                assertThrows(IllegalArgumentException.class, () -> b.restore(Map.of(), "net.", 1));
            }
        }
    }
}
