package dev.tinify.runtime.metrics;

/** Bits per pixel as CompressAI reports it: 8 * bytes / (H * W) of the original, unpadded image. */
public final class Bpp {
    private Bpp() {}

    /** Bits per pixel of {@code bytes} coding a {@code height x width} image. */
    public static double of(long bytes, int height, int width) {
        if (bytes < 0 || height < 1 || width < 1) {
            throw new IllegalArgumentException("bpp needs bytes >= 0 and a positive size, got " + bytes + " bytes for "
                    + height + "x" + width);
        }
        return 8.0 * bytes / ((double) height * width);
    }
}
