package dev.tinify.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.runtime.image.RgbImage;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Analytic cases and invariants; dev8 baselines reproduce pytorch_msssim's numbers (eval tests). */
class MsSsimTest {
    private static RgbImage constant(int h, int w, int r, int g, int b) {
        int plane = h * w;
        int[] s = new int[3 * plane];
        Arrays.fill(s, 0, plane, r);
        Arrays.fill(s, plane, 2 * plane, g);
        Arrays.fill(s, 2 * plane, 3 * plane, b);
        return RgbImage.from8Bit(h, w, s);
    }

    private static RgbImage noise(int h, int w, long seed) {
        Random r = new Random(seed);
        int[] s = new int[3 * h * w];
        for (int i = 0; i < s.length; i++) {
            s[i] = r.nextInt(256);
        }
        return RgbImage.from8Bit(h, w, s);
    }

    @Test
    void identicalImagesScoreOne() {
        RgbImage a = noise(176, 192, 1);
        assertEquals(1.0, MsSsim.of(a, a), 1e-12);
    }

    /**
     * Flat images have zero variance, so every contrast-structure term is C2/C2 = 1 and only the
     * coarsest scale's luminance term (2ab + C1) / (a^2 + b^2 + C1) remains, raised to 0.1333.
     */
    @Test
    void flatImagesReduceToTheCoarsestLuminanceTerm() {
        int[][] pairs = {{51, 153}, {0, 255}, {200, 190}};
        double expected = 0;
        for (int[] p : pairs) {
            double a = p[0] / 255.0;
            double b = p[1] / 255.0;
            double c1 = 1e-4;
            expected += Math.pow((2 * a * b + c1) / (a * a + b * b + c1), 0.1333) / 3;
        }
        // 192 x 256 stays even down to the fifth scale, so no zero padding enters the pooling.
        double got = MsSsim.of(constant(192, 256, 51, 0, 200), constant(192, 256, 153, 255, 190));
        assertEquals(expected, got, 1e-12);
    }

    @Test
    void symmetricAndBelowOneForDifferentImages() {
        RgbImage a = noise(170, 171, 2);
        RgbImage b = noise(170, 171, 3);
        double ab = MsSsim.of(a, b);
        assertEquals(ab, MsSsim.of(b, a), 1e-12);
        assertTrue(ab >= 0 && ab < 0.5, "unrelated noise must score low, got " + ab);
    }

    @Test
    void rejectsImagesTooSmallForFiveScales() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MsSsim.of(constant(160, 300, 0, 0, 0), constant(160, 300, 0, 0, 0)));
        assertTrue(e.getMessage().contains("160"), e.getMessage());
    }

    @Test
    void decibelsAreMinusTenLog10OfTheComplement() {
        assertEquals(20.0, MsSsim.toDb(0.99), 1e-12);
    }
}
