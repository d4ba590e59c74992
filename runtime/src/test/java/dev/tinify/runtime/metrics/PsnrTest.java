package dev.tinify.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tinify.runtime.image.RgbImage;
import org.junit.jupiter.api.Test;

class PsnrTest {
    private static RgbImage constant(int h, int w, int v) {
        int[] s = new int[3 * h * w];
        java.util.Arrays.fill(s, v);
        return RgbImage.from8Bit(h, w, s);
    }

    @Test
    void offByOneEverywhereIs20Log10Of255() {
        assertEquals(20 * Math.log10(255), Psnr.of(constant(4, 5, 100), constant(4, 5, 101)), 1e-12);
    }

    @Test
    void mseIsOverAllSamplesOfAllChannels() {
        int[] s = new int[3 * 2 * 2];
        s[0] = 4; // one sample of 12 off by 4: MSE = 16 / 12
        RgbImage b = RgbImage.from8Bit(2, 2, s);
        assertEquals(16.0 / 12, Psnr.mse8Bit(constant(2, 2, 0), b), 0);
        assertEquals(10 * Math.log10(255.0 * 255 * 12 / 16), Psnr.of(constant(2, 2, 0), b), 1e-12);
    }

    @Test
    void measuresRoundedEightBitValues() {
        // 100.4/255 rounds to the same 8-bit value as 100/255: no error is seen.
        float[] f = new float[3];
        java.util.Arrays.fill(f, 100.4f / 255f);
        assertEquals(Double.POSITIVE_INFINITY, Psnr.of(constant(1, 1, 100), new RgbImage(1, 1, f)));
    }

    @Test
    void sizesMustMatch() {
        assertThrows(IllegalArgumentException.class, () -> Psnr.of(constant(2, 3, 0), constant(3, 2, 0)));
    }
}
