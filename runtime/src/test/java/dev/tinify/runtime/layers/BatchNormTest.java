package dev.tinify.runtime.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** nn.BatchNorm1d's two modes on values worked by hand. */
class BatchNormTest {
    /** Two items, 2 channels, 2 points: channel 0 holds {1, 3, 5, 7}, channel 1 {2, 2, 4, 4}. */
    private static final float[] X = {1, 3, 2, 2, 5, 7, 4, 4};

    @Test
    void evaluationUsesTheRunningStatistics() {
        try (NDManager m = NDManager.newBaseManager()) {
            BatchNorm bn = new BatchNorm(m, 2);
            bn.stateDict().get("running_mean").set(m.create(new float[] {4, 1}));
            bn.stateDict().get("running_var").set(m.create(new float[] {4, 9}));
            bn.stateDict().get("weight").set(m.create(new float[] {2, 1}));
            bn.stateDict().get("bias").set(m.create(new float[] {0, 1}));
            float[] y = bn.forward(m.create(X, new Shape(2, 2, 2))).toFloatArray();
            assertArrayEquals(perChannel(4, 2 / Math.sqrt(4 + 1e-5), 1, 1 / Math.sqrt(9 + 1e-5), 1), y, 1e-6f);
            assertArrayEquals(new float[] {4, 1}, bn.stateDict().get("running_mean").value().toFloatArray(), "evaluation changed the statistics");
        }
    }

    @Test
    void trainingNormalizesByTheBatchAndMovesTheRunningStatistics() {
        try (NDManager m = NDManager.newBaseManager()) {
            BatchNorm bn = new BatchNorm(m, 2);
            bn.train(true);
            float[] y = bn.forward(m.create(X, new Shape(2, 2, 2))).toFloatArray();
            // Channel 0: mean 4, biased variance 5; channel 1: mean 3, biased variance 1.
            assertArrayEquals(perChannel(4, 1 / Math.sqrt(5 + 1e-5), 3, 1 / Math.sqrt(1 + 1e-5), 0), y, 1e-6f);
            // running = 0.9 * (0 | 1) + 0.1 * batch, with the unbiased variances 20/3 and 4/3.
            assertArrayEquals(new float[] {0.4f, 0.3f}, bn.stateDict().get("running_mean").value().toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {0.9f + 2f / 3, 0.9f + 0.4f / 3}, bn.stateDict().get("running_var").value().toFloatArray(), 1e-6f);
            assertEquals(1, bn.stateDict().get("num_batches_tracked").value().toIntArray()[0]);
        }
    }

    @Test
    void trainingGradientsFlowThroughTheBatchStatistics() {
        try (NDManager m = NDManager.newBaseManager()) {
            BatchNorm bn = new BatchNorm(m, 2);
            bn.train(true);
            NDArray x = m.create(X, new Shape(2, 2, 2));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                // The sum of a batch-normalized channel is its bias times the count whatever x is:
                // its gradient is 0, where statistics taken as constants would give 1/std.
                gc.backward(bn.forward(x).sum());
            }
            for (float g : x.getGradient().toFloatArray()) {
                assertEquals(0f, g, 1e-6f);
            }
        }
    }

    @Test
    void trainingNeedsMoreThanOneValuePerChannel() {
        try (NDManager m = NDManager.newBaseManager()) {
            BatchNorm bn = new BatchNorm(m, 2);
            bn.train(true);
            assertThrows(LayerInputException.class, () -> bn.forward(m.ones(new Shape(1, 2, 1))));
        }
    }

    /** {@link #X} with channel 0 mapped to {@code (x - m0)·s0} and channel 1 to {@code (x - m1)·s1 + b1}. */
    private static float[] perChannel(double m0, double s0, double m1, double s1, double b1) {
        float[] y = new float[X.length];
        for (int i = 0; i < X.length; i++) {
            boolean ch0 = (i / 2) % 2 == 0;
            y[i] = (float) (ch0 ? (X[i] - m0) * s0 : (X[i] - m1) * s1 + b1);
        }
        return y;
    }
}
