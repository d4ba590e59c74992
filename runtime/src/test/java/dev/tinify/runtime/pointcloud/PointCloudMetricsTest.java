package dev.tinify.runtime.pointcloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Chamfer, D1 and D2 on clouds whose errors are known in closed form. */
class PointCloudMetricsTest {

    /** A 20x20 grid in the plane z = 0, spacing 0.1. */
    private static float[] plane(float z, float shiftX) {
        float[] xyz = new float[3 * 400];
        for (int i = 0; i < 400; i++) {
            xyz[3 * i] = (i % 20) * 0.1f + shiftX;
            xyz[3 * i + 1] = (i / 20) * 0.1f;
            xyz[3 * i + 2] = z;
        }
        return xyz;
    }

    @Test
    void aLiftedPlaneHasExactErrors() {
        PointCloud a = PointCloud.of(plane(0, 0));
        PointCloud b = PointCloud.of(plane(0.01f, 0));
        PointCloudMetrics.Errors e = PointCloudMetrics.compare(a, b, 1.0);
        double d2 = (double) 0.01f * 0.01f;
        assertEquals(2 * d2, e.chamfer(), 1e-12);
        assertEquals(d2, e.d1Mse(), 1e-12);
        // The estimated normals are ±z, so the plane error is the whole error.
        assertEquals(d2, e.d2Mse(), 1e-9);
        assertEquals(10 * Math.log10(3 / d2), e.d1Psnr(), 1e-6);
    }

    @Test
    void slidingWithinThePlaneCostsNothingPointToPlane() {
        PointCloud a = PointCloud.of(plane(0, 0));
        PointCloud b = PointCloud.of(plane(0, 0.03f));
        PointCloudMetrics.Errors e = PointCloudMetrics.compare(a, b, 1.0);
        assertTrue(e.d1Mse() > 5e-4, "d1 " + e.d1Mse());
        assertEquals(0, e.d2Mse(), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, e.d2Psnr());
    }

    @Test
    void identicalCloudsAreLossless() {
        Random rnd = new Random(2);
        float[] xyz = new float[300];
        for (int i = 0; i < xyz.length; i++) {
            xyz[i] = (float) rnd.nextGaussian();
        }
        PointCloud a = PointCloud.of(xyz);
        assertEquals(0, PointCloudMetrics.chamfer(a, a));
        assertEquals(Double.POSITIVE_INFINITY, PointCloudMetrics.d1Psnr(a, a, PointCloudMetrics.defaultPeak(a)));
    }

    @Test
    void normalsAreTheLeastVarianceDirection() {
        double[] v = PointCloudMetrics.smallestEigenvector(new double[] {4, 1, 0, 1, 3, 0, 0, 0, 0.5});
        assertEquals(0, v[0], 1e-12);
        assertEquals(0, v[1], 1e-12);
        assertEquals(1, Math.abs(v[2]), 1e-12);
    }
}
