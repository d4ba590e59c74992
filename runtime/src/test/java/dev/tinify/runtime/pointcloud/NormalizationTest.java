package dev.tinify.runtime.pointcloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class NormalizationTest {
    private static PointCloud randomCloud(Random r, int n) {
        float[] xyz = new float[3 * n];
        for (int i = 0; i < xyz.length; i++) {
            xyz[i] = (float) (r.nextGaussian() * (1 + i % 3) * 40 + 1000 * (i % 3));
        }
        return PointCloud.of(xyz);
    }

    @Test
    void fittedCloudIsCentredAndSpansMinusOneToOne() {
        PointCloud c = randomCloud(new Random(3), 5000);
        Normalization n = Normalization.fit(c);
        float[] p = n.apply(c.xyz());
        double[] mean = new double[3];
        double max = 0;
        for (int i = 0; i < p.length; i++) {
            mean[i % 3] += p[i] / 5000.0;
            max = Math.max(max, Math.abs(p[i]));
        }
        for (double m : mean) {
            assertEquals(0, m, 1e-4);
        }
        assertEquals(1, max, 1e-6);
    }

    @Test
    void undoInvertsApply() {
        PointCloud c = randomCloud(new Random(4), 1000);
        Normalization n = Normalization.fit(c);
        float[] back = n.undo(n.apply(c.xyz()));
        for (int i = 0; i < back.length; i++) {
            assertEquals(c.xyz()[i], back[i], 1e-4 * Math.max(1, Math.abs(c.xyz()[i])));
        }
    }

    @Test
    void aSinglePointGetsScaleOneAndBadValuesAreRefused() {
        Normalization n = Normalization.fit(PointCloud.of(new float[] {5, 6, 7}));
        assertEquals(new Normalization(5, 6, 7, 1), n);
        assertThrows(IllegalArgumentException.class, () -> new Normalization(0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Normalization(Float.NaN, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Normalization.fit(PointCloud.of(new float[0])));
    }

    @Test
    void pointsFartherApartThanFloat32ScalesAreRefused() {
        // Each coordinate is a finite float, but the first lies 4/3 of the largest float from their mean: no float32 scale fits.
        PointCloud wide = PointCloud.of(new float[] {-Float.MAX_VALUE, 0, 0, Float.MAX_VALUE, 0, 0, Float.MAX_VALUE, 0, 0});
        String m = assertThrows(IllegalArgumentException.class, () -> Normalization.fit(wide)).getMessage();
        assertTrue(m.contains("beyond the float32 range"), m);
        // Half as far apart still fits, and lands in [-1, 1].
        PointCloud half = PointCloud.of(new float[] {-Float.MAX_VALUE / 2, 0, 0, Float.MAX_VALUE / 2, 0, 0});
        float[] scaled = Normalization.fit(half).apply(half.xyz());
        assertEquals(-1f, scaled[0]);
        assertEquals(1f, scaled[3]);
    }
}
