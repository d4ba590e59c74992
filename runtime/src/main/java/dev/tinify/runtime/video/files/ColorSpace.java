package dev.tinify.runtime.video.files;

import java.util.Locale;

/**
 * How YCbCr samples map to RGB: the matrix (BT.601 or BT.709 luma weights) and the range (full:
 * Y, Cb and Cr use 0..255; limited: Y uses 16..235 and Cb, Cr 16..240). {@link #COMPRESSAI} is
 * what CompressAI's video evaluation assumes for every sequence: BT.709, full range.
 */
public record ColorSpace(Matrix matrix, boolean fullRange) {
    /** BT.709 full range, as CompressAI's {@code rgb2ycbcr}/{@code ycbcr2rgb}. */
    public static final ColorSpace COMPRESSAI = new ColorSpace(Matrix.BT709, true);

    /** Luma weights K_r and K_b (K_g = 1 - K_r - K_b). */
    public enum Matrix {
        BT601(0.299, 0.114),
        BT709(0.2126, 0.0722);

        final double kr;
        final double kb;

        Matrix(double kr, double kb) {
            this.kr = kr;
            this.kb = kb;
        }
    }

    /** Parses {@code bt601|bt709} and {@code full|limited}; errors name the accepted values. */
    public static ColorSpace of(String matrix, String range) {
        Matrix m = switch (matrix.toLowerCase(Locale.ROOT)) {
            case "bt601", "601" -> Matrix.BT601;
            case "bt709", "709" -> Matrix.BT709;
            default -> throw new IllegalArgumentException("unknown colour matrix '" + matrix + "' (expected bt601 or bt709)");
        };
        boolean full = switch (range.toLowerCase(Locale.ROOT)) {
            case "full" -> true;
            case "limited" -> false;
            default -> throw new IllegalArgumentException("unknown colour range '" + range + "' (expected full or limited)");
        };
        return new ColorSpace(m, full);
    }

    /** Normalized luma in [0, 1] from an 8-bit sample. */
    float luma(int sample) {
        return fullRange ? sample / 255f : (sample - 16) / 219f;
    }

    /** Normalized chroma in [0, 1] (0.5 neutral) from an 8-bit sample. */
    float chroma(int sample) {
        return fullRange ? sample / 255f : (sample - 16) / 224f;
    }

    /** An 8-bit luma sample from normalized luma (rounded, clamped to the range). */
    int lumaSample(float y) {
        return fullRange ? clamp(Math.round(y * 255f), 0, 255) : clamp(Math.round(16 + y * 219f), 16, 235);
    }

    /** An 8-bit chroma sample from normalized chroma (rounded, clamped to the range). */
    int chromaSample(float c) {
        return fullRange ? clamp(Math.round(c * 255f), 0, 255) : clamp(Math.round(16 + c * 224f), 16, 240);
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    @Override
    public String toString() {
        return matrix.name().toLowerCase(Locale.ROOT) + " " + (fullRange ? "full" : "limited") + " range";
    }
}
