package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDManager;

/**
 * CompressAI's {@code SpectralConv2d} (Ballé, PCS 2018): a {@link Conv2d} whose weight is stored
 * in the frequency domain as {@code weight_transformed} (see {@link SpectralKernel} for the layout
 * and the transform), so that optimizer steps reach all frequencies evenly. Keys: {@code bias},
 * {@code weight_transformed} [out, in, k, k/2+1, 2]. Initialization is the plain convolution's,
 * transformed.
 */
public final class SpectralConv2d extends Conv2d {
    /** Padding {@code kernel/2}, with bias, as {@code conv(in, out, k, s)}. */
    public SpectralConv2d(NDManager manager, int in, int out, int kernel, int stride) {
        this(manager, in, out, kernel, stride, kernel / 2);
    }

    public SpectralConv2d(NDManager manager, int in, int out, int kernel, int stride, int padding) {
        super(manager, in, out, kernel, stride, padding, true, true);
    }
}
