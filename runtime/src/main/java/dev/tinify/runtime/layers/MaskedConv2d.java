package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.nn.Param;

/**
 * CompressAI's {@code MaskedConv2d}: a convolution whose weight is multiplied by the buffer
 * {@code mask} [out, in, k, k] in the forward pass, so that an output position only sees the
 * positions before it in raster order. Type {@link MaskType#A} also hides the centre (first
 * layer of a context model), {@link MaskType#B} shows it. Keys: {@code weight}, {@code bias},
 * {@code mask}.
 */
public class MaskedConv2d extends Conv2d {
    /** Whether the centre tap is hidden (A) or visible (B). */
    public enum MaskType { A, B }

    private final Param mask;

    /** Stride 1, padding {@code kernel/2}, raster-scan mask. */
    public MaskedConv2d(NDManager manager, int in, int out, int kernel, MaskType type) {
        this(manager, in, out, kernel, 1, kernel / 2, rasterPattern(kernel, type));
    }

    /** General stride and padding, raster-scan mask. */
    public MaskedConv2d(NDManager manager, int in, int out, int kernel, int stride, int padding, MaskType type) {
        this(manager, in, out, kernel, stride, padding, rasterPattern(kernel, type));
    }

    /** A masked convolution with a k×k {@code pattern} (1 = visible tap), repeated over channels. */
    protected MaskedConv2d(NDManager manager, int in, int out, int kernel, int stride, int padding, float[] pattern) {
        super(manager, in, out, kernel, stride, padding, true);
        float[] full = new float[out * in * kernel * kernel];
        for (int i = 0; i < out * in; i++) {
            System.arraycopy(pattern, 0, full, i * pattern.length, pattern.length);
        }
        this.mask = buffer("mask", manager.create(full, new Shape(out, in, kernel, kernel)));
    }

    /** The raster-scan k×k pattern: rows above the centre, and the centre row left of it (and the centre for B). */
    public static float[] rasterPattern(int kernel, MaskType type) {
        float[] p = new float[kernel * kernel];
        int c = kernel / 2;
        for (int i = 0; i < kernel; i++) {
            for (int j = 0; j < kernel; j++) {
                boolean visible = i < c || (i == c && (j < c || (j == c && type == MaskType.B)));
                p[i * kernel + j] = visible ? 1f : 0f;
            }
        }
        return p;
    }

    public NDArray mask() {
        return mask.value();
    }

    /** The weight times the mask, as the forward pass uses it (a new array; the caller closes it). */
    public NDArray maskedWeight() {
        return weight().mul(mask.value());
    }

    @Override
    protected NDArray effectiveWeight() {
        return maskedWeight();
    }
}
