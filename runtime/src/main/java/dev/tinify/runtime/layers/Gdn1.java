package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * CompressAI's {@code GDN1}, the L1 variant of {@link Gdn}:
 * {@code y_i = x_i / (beta_i + sum_j gamma[i, j] |x_j|)}, or {@code x_i * (...)} when inverse.
 * Same keys and parameters as {@link Gdn}.
 */
public final class Gdn1 extends Gdn {

    public Gdn1(NDManager manager, int channels, boolean inverse) {
        super(manager, channels, inverse);
    }

    public Gdn1(NDManager manager, int channels, boolean inverse, double betaMin, double gammaInit) {
        super(manager, channels, inverse, betaMin, gammaInit);
    }

    @Override
    protected NDArray pointwise(NDArray x) {
        return x.abs();
    }

    @Override
    protected NDArray apply(NDArray x, NDArray norm) {
        return inverse() ? x.mul(norm) : x.div(norm);
    }
}
