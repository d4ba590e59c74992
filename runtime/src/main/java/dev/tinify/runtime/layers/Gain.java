package dev.tinify.runtime.layers;

import dev.tinify.runtime.ops.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.nn.Param;

/**
 * A learned per-channel gain with a fixed factor ({@code compressai.layers.Gain(shape, factor)}):
 * {@code (factor · gain) · x}, the factor multiplied into the float32 gain first, as CompressAI
 * does. Key {@code gain} [C, 1] (ones at the start), broadcast over [B, C, P].
 */
public final class Gain extends FixedChannelsLayer {
    private final float factor;
    private final Param gain;

    public Gain(NDManager manager, int channels, double factor) {
        super(channels);
        if (channels <= 0 || !Double.isFinite(factor)) {
            throw new IllegalArgumentException("Gain needs a positive channel count and a finite factor, got " + channels + ", " + factor);
        }
        this.factor = (float) factor;
        this.gain = parameter("gain", manager.ones(new Shape(channels, 1)));
    }

    @Override
    public NDArray forward(NDArray x) {
        if (x.getShape().dimension() != 3 || x.getShape().get(1) != in) {
            throw inputError("expects [B, " + in + ", P], got " + x.getShape(), "a [B, " + in + ", P] input");
        }
        try (NDArray g = Scalars.mul(gain.value(), factor)) {
            return g.mul(x);
        }
    }

    @Override
    protected String describeDetails() {
        return ", ×" + factor;
    }
}
