package dev.tinify.runtime.metrics;

import dev.tinify.runtime.image.RgbImage;

/**
 * Peak signal-to-noise ratio as CompressAI's evaluation reports {@code psnr-rgb}: both images are
 * rounded to 8 bits ({@link RgbImage#to8Bit()}), the squared error is averaged over all
 * {@code 3 * H * W} samples, and PSNR = 10 log10(255^2 / MSE). Identical images give +Infinity.
 */
public final class Psnr {
    private Psnr() {}

    /** PSNR in dB between a reference and a reconstruction of the same size. */
    public static double of(RgbImage reference, RgbImage reconstruction) {
        return fromMse(mse8Bit(reference, reconstruction));
    }

    /** Mean squared error of the 8-bit samples (in 8-bit units). */
    public static double mse8Bit(RgbImage a, RgbImage b) {
        Sizes.requireSame(a, b);
        int[] x = a.to8Bit();
        int[] y = b.to8Bit();
        long sum = 0;
        for (int i = 0; i < x.length; i++) {
            long d = x[i] - y[i];
            sum += d * d;
        }
        return (double) sum / x.length;
    }

    /** PSNR in dB of an 8-bit mean squared error. */
    public static double fromMse(double mse8Bit) {
        return 10 * Math.log10(255.0 * 255.0 / mse8Bit);
    }
}
