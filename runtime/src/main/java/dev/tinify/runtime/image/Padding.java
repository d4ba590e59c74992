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

    /**
     * Why coding a {@code height x width} image padded to {@code stride} is refused, or empty:
     * padding that multiplies the pixels by more than {@value #MAX_OVERHEAD} on a padded image of
     * more than {@value #SMALL_PIXELS} pixels. The models compute on every padded pixel, so a
     * 1x70000 strip padded to 64x70016 costs what a 2117x2117 photograph costs, 64 times its own
     * size in time and memory; small images (a thumbnail padded to 64x64) stay cheap and are coded.
     */
    public static java.util.Optional<String> wasteful(int height, int width, int stride) {
        Padding p = forStride(height, width, stride);
        long padded = (long) p.paddedHeight(height) * p.paddedWidth(width);
        long pixels = (long) height * width;
        if (padded <= SMALL_PIXELS || padded <= MAX_OVERHEAD * pixels) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(String.format(java.util.Locale.ROOT,
                "a %dx%d image pads to %dx%d for the model's stride of %d: %d times its pixels, as slow to code as a %dx%d image;"
                        + " images are refused where padding multiplies the pixels by more than %d (crop it, or join such strips"
                        + " into one image at least %d pixels high and wide)",
                height, width, p.paddedHeight(height), p.paddedWidth(width), stride, Math.round((double) padded / pixels),
                (long) Math.ceil(Math.sqrt(padded)), (long) Math.ceil(Math.sqrt(padded)), MAX_OVERHEAD, stride / MAX_OVERHEAD + 1));
    }

    /** Padding may multiply a large image's pixels by at most this factor ({@link #wasteful}). */
    public static final int MAX_OVERHEAD = 16;
    /** Padded images up to this many pixels are coded whatever their padding ({@link #wasteful}). */
    public static final long SMALL_PIXELS = 1L << 20;

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
