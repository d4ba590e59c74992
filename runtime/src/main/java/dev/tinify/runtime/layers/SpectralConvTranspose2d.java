package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDManager;

/**
 * CompressAI's {@code SpectralConvTranspose2d}: a {@link ConvTranspose2d} ({@code deconv(in, out,
 * k, s)}) whose weight is stored in the frequency domain as {@code weight_transformed} [in, out, k,
 * k/2+1, 2] (see {@link SpectralKernel}). Keys: {@code bias}, {@code weight_transformed}.
 */
public final class SpectralConvTranspose2d extends ConvTranspose2d {
    public SpectralConvTranspose2d(NDManager manager, int in, int out, int kernel, int stride) {
        super(manager, in, out, kernel, stride, true);
    }
}
