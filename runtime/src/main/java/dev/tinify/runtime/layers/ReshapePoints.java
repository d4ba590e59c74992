package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;

/**
 * Row-major reshape of a decoder's [B, C, 1] output into points [B, C/dims, dims]
 * ({@code compressai.layers.Reshape((C/dims, dims))}): channel {@code dims·p + c} becomes
 * coordinate c of point p. No keys.
 */
public final class ReshapePoints extends LayerModule {
    private final int dims;

    public ReshapePoints(int dims) {
        if (dims <= 0) {
            throw new IllegalArgumentException("ReshapePoints needs a positive coordinate count, got " + dims);
        }
        this.dims = dims;
    }

    @Override
    public NDArray forward(NDArray x) {
        long b = x.getShape().get(0);
        long size = x.getShape().size() / Math.max(1, b);
        if (size % dims != 0) {
            throw new IllegalArgumentException(describe() + " needs a multiple of " + dims + " values per item, got " + x.getShape());
        }
        return x.reshape(b, size / dims, dims);
    }

    @Override
    public int inChannels() {
        return ANY;
    }

    @Override
    public int outChannels(int inChannels) {
        if (inChannels % dims != 0) {
            throw new IllegalArgumentException(describe() + " needs a channel count divisible by " + dims + ", got " + inChannels);
        }
        return dims;
    }

    @Override
    public String describe() {
        return "ReshapePoints(" + dims + ")";
    }
}
