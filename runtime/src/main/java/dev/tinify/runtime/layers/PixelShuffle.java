package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;
import dev.tinify.runtime.ops.ConvOps;

/** {@code nn.PixelShuffle(r)}: [B, C·r², H, W] → [B, C, rH, rW] (see {@link ConvOps#pixelShuffle}). */
public final class PixelShuffle extends LayerModule {
    private final int factor;

    public PixelShuffle(int factor) {
        if (factor <= 0) {
            throw new IllegalArgumentException("PixelShuffle needs a positive factor, got " + factor);
        }
        this.factor = factor;
    }

    @Override
    public NDArray forward(NDArray x) {
        return ConvOps.pixelShuffle(x, factor);
    }

    @Override
    public int inChannels() {
        return ANY;
    }

    @Override
    public int outChannels(int inChannels) {
        int r2 = factor * factor;
        if (inChannels % r2 != 0) {
            throw new IllegalArgumentException(describe() + " needs a channel count divisible by " + r2 + ", got " + inChannels);
        }
        return inChannels / r2;
    }

    @Override
    public int upsampling() {
        return factor;
    }

    @Override
    public String describe() {
        return "PixelShuffle(" + factor + ")";
    }
}
