package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDManager;

/**
 * CompressAI's {@code CheckerboardMaskedConv2d}: a masked convolution whose visible taps are the
 * positions with {@code (row + col)} odd, i.e. the anchors of the checkerboard seen from a
 * non-anchor position; the centre is hidden for type A (the default in CompressAI) and visible
 * for type B. Keys: {@code weight}, {@code bias}, {@code mask}.
 */
public final class CheckerboardMaskedConv2d extends MaskedConv2d {

    /** Stride 1, padding {@code kernel/2}. */
    public CheckerboardMaskedConv2d(NDManager manager, int in, int out, int kernel, MaskType type) {
        super(manager, in, out, kernel, 1, kernel / 2, checkerboardPattern(kernel, type));
    }

    /** General stride and padding. */
    public CheckerboardMaskedConv2d(NDManager manager, int in, int out, int kernel, int stride, int padding, MaskType type) {
        super(manager, in, out, kernel, stride, padding, checkerboardPattern(kernel, type));
    }

    /** The k×k checkerboard pattern: 1 where {@code (i + j)} is odd, the centre per {@code type}. */
    public static float[] checkerboardPattern(int kernel, MaskType type) {
        float[] p = new float[kernel * kernel];
        for (int i = 0; i < kernel; i++) {
            for (int j = 0; j < kernel; j++) {
                p[i * kernel + j] = (i + j) % 2 == 1 ? 1f : 0f;
            }
        }
        int c = kernel / 2;
        p[c * kernel + c] = type == MaskType.B ? 1f : 0f;
        return p;
    }
}
