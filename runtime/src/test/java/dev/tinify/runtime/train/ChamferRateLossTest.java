package dev.tinify.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.pointcloud.PointCloud;
import dev.tinify.runtime.pointcloud.PointCloudMetrics;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChamferRateLossTest {
    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    /** Mean over {@code from}'s points of the squared distance to the nearest point of {@code to}, by brute force. */
    private static double nearest(float[] from, int fromOffset, int nFrom, float[] to, int toOffset, int nTo) {
        double sum = 0;
        for (int i = 0; i < nFrom; i++) {
            double best = Double.POSITIVE_INFINITY;
            for (int j = 0; j < nTo; j++) {
                double d = 0;
                for (int a = 0; a < 3; a++) {
                    double e = (double) from[fromOffset + 3 * i + a] - to[toOffset + 3 * j + a];
                    d += e * e;
                }
                best = Math.min(best, d);
            }
            sum += best;
        }
        return sum / nFrom;
    }

    @Test
    void chamferIsTheMeanNearestSquaredDistanceBothWaysAveragedOverTheBatch() {
        Random r = new Random(5);
        int b = 2;
        int p = 50;
        int q = 70;
        float[] a = random(r, b * p * 3);
        float[] c = random(r, b * q * 3);
        double expected = 0;
        for (int k = 0; k < b; k++) {
            expected += nearest(a, k * p * 3, p, c, k * q * 3, q) + nearest(c, k * q * 3, q, a, k * p * 3, p);
        }
        expected /= b;
        try (NDManager m = NDManager.newBaseManager()) {
            double got = ChamferRateLoss.chamfer(m.create(a, new Shape(b, p, 3)), m.create(c, new Shape(b, q, 3))).getFloat();
            assertEquals(expected, got, 1e-5 * expected);
            // One cloud: the same as the metrics' Chamfer distance.
            float[] a0 = Arrays.copyOf(a, p * 3);
            float[] c0 = Arrays.copyOf(c, q * 3);
            double one = ChamferRateLoss.chamfer(m.create(a0, new Shape(1, p, 3)), m.create(c0, new Shape(1, q, 3))).getFloat();
            assertEquals(PointCloudMetrics.chamfer(PointCloud.of(a0), PointCloud.of(c0)), one, 1e-5 * one);
        }
    }

    @Test
    void lossIsBitsPerInputPointPlusLambdaTimesChamfer() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {0, 0, 0, 1, 0, 0}, new Shape(1, 2, 3));
            NDArray xHat = m.create(new float[] {0, 0, 0.5f, 1, 0, 0}, new Shape(1, 2, 3));
            // Eight latents of probability 1/2 and two of 1/4: 12 bits over 2 points.
            NDArray y = m.create(new float[] {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f}, new Shape(1, 8, 1));
            NDArray z = m.create(new float[] {0.25f, 0.25f}, new Shape(1, 2, 1));
            RateDistortionLoss.Terms t = new ChamferRateLoss(10).compute(x, xHat, Map.of("y", y, "z", z));
            assertEquals(6.0, t.bpp().getFloat(), 1e-6);
            // Nearest squared distances: 0.25 and 0 each way, means 0.125 + 0.125.
            assertEquals(0.25, t.mse().getFloat(), 1e-7);
            assertEquals(6.0 + 10 * 0.25, t.loss().getFloat(), 1e-5);
        }
    }
}
