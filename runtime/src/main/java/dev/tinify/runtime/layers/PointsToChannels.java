package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;

/**
 * The entry of a point-cloud encoder: points [B, P, dims] (xyz, then any per-point features) to
 * channels [B, dims, P], as CompressAI's point-cloud models transpose their {@code pos} input. A
 * model whose {@code g_a} starts with it takes point clouds instead of images. No keys.
 */
public final class PointsToChannels extends FixedChannelsLayer {
    public PointsToChannels(int dims) {
        super(dims);
        if (dims <= 0) {
            throw new IllegalArgumentException("PointsToChannels needs a positive coordinate count, got " + dims);
        }
    }

    @Override
    public NDArray forward(NDArray x) {
        if (x.getShape().dimension() != 3 || x.getShape().get(2) != in) {
            throw new IllegalArgumentException(describe() + " expects points [B, P, " + in + "], got " + x.getShape());
        }
        return x.transpose(0, 2, 1);
    }
}
