package dev.tinify.runtime.video;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.tinify.runtime.layers.TestTensors;
import org.junit.jupiter.api.Test;

/**
 * The warp's gradients (into the volume, the flow and the scale field) against central finite
 * differences in float64, with flows and scales that reach past the border so that clamped
 * coordinates (zero gradient) are exercised too.
 */
class VolumeWarpGradientTest {
    private static final double EPS = 1e-6;

    @Test
    void gradientsMatchFiniteDifferences() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray volume = TestTensors.uniform(m, 1, DataType.FLOAT64, 1, 2, 4, 5, 6);
            NDArray flow = TestTensors.uniform(m, 2, DataType.FLOAT64, 1, 2, 5, 6).mul(0.6);
            NDArray scale = TestTensors.uniform(m, 3, DataType.FLOAT64, 1, 1, 5, 6).mul(1.3);
            NDArray weights = TestTensors.uniform(m, 4, DataType.FLOAT64, 1, 2, 5, 6);
            NDArray[] inputs = {volume, flow, scale};
            for (NDArray a : inputs) {
                a.setRequiresGradient(true);
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(VolumeWarp.warp(volume, flow, scale).mul(weights).sum());
            }
            String[] names = {"volume", "flow", "scale"};
            for (int i = 0; i < inputs.length; i++) {
                double[] analytic = inputs[i].getGradient().toDoubleArray();
                double[] numeric = finiteDifferences(inputs, i, weights);
                double err = 0;
                double max = 0;
                for (int k = 0; k < analytic.length; k++) {
                    err = Math.max(err, Math.abs(analytic[k] - numeric[k]));
                    max = Math.max(max, Math.abs(numeric[k]));
                }
                System.out.printf("warp gradient %s: max|err| %.3g (max|grad| %.3g)%n", names[i], err, max);
                assertTrue(max > 0.1, names[i] + " gradient is trivially small");
                assertTrue(err < 1e-6, names[i] + " gradient differs from finite differences by " + err);
            }
        }
    }

    private static double[] finiteDifferences(NDArray[] inputs, int which, NDArray weights) {
        double[] base = inputs[which].toDoubleArray();
        double[] out = new double[base.length];
        NDManager m = weights.getManager();
        for (int k = 0; k < base.length; k++) {
            double[] plus = base.clone();
            double[] minus = base.clone();
            plus[k] += EPS;
            minus[k] -= EPS;
            out[k] = (loss(inputs, which, m.create(plus, inputs[which].getShape()), weights)
                    - loss(inputs, which, m.create(minus, inputs[which].getShape()), weights)) / (2 * EPS);
        }
        return out;
    }

    private static double loss(NDArray[] inputs, int which, NDArray replaced, NDArray weights) {
        NDArray[] a = inputs.clone();
        a[which] = replaced;
        return VolumeWarp.warp(a[0].stopGradient(), a[1].stopGradient(), a[2].stopGradient()).mul(weights).sum().getDouble();
    }
}
