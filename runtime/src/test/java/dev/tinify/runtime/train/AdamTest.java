package dev.tinify.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.nn.Param;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Adam follows torch.optim.Adam's update and its state round-trips. */
class AdamTest {
    private static final float[][] GRADS = {{0.5f, -2f, 0f}, {0.1f, 3f, -1e-3f}, {-0.4f, 0.2f, 7f}};

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
