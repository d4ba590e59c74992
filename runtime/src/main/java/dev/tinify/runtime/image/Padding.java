package dev.tinify.runtime.image;

/**
 * Zero padding around an image, in pixels per side. {@link #forStride} centres the padding as
 * CompressAI's {@code compute_padding} does (the odd pixel goes right / bottom), so padded inputs
 * and therefore latents and bitstreams match CompressAI's evaluation.
 */
public record Padding(int left, int right, int top, int bottom) {
    /** No padding. */
    public static final Padding NONE = new Padding(0, 0, 0, 0);

    public Padding {
        if (left < 0 || right < 0 || top < 0 || bottom < 0) {
            throw new IllegalArgumentException("padding must be >= 0 on every side, got " + describe(left, right, top, bottom));
        }
    }

    private static String describe(int l, int r, int t, int b) {
        return "left=" + l + " right=" + r + " top=" + t + " bottom=" + b;
    }

    /**
     * The centred padding that makes {@code height x width} a multiple of {@code stride} on both
     * sides (CompressAI pads to 64 in its evaluation whatever the model's own stride).
     */
    public static Padding forStride(int height, int width, int stride) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (stride < 1) {
            throw new IllegalArgumentException("stride must be >= 1, got " + stride);
        }
        int outH = Math.toIntExact(((long) height + stride - 1) / stride * stride);
        int outW = Math.toIntExact(((long) width + stride - 1) / stride * stride);
        int left = (outW - width) / 2;
        int top = (outH - height) / 2;
        return new Padding(left, outW - width - left, top, outH - height - top);
    }

    /** Height after padding an image of {@code height} rows. */
    public int paddedHeight(int height) {
        return Math.addExact(Math.addExact(height, top), bottom);
    }

    /** Width after padding an image of {@code width} columns. */
    public int paddedWidth(int width) {
        return Math.addExact(Math.addExact(width, left), right);
    }

    @Override
    public String toString() {
        return describe(left, right, top, bottom);
    }
}
