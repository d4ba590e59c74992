package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;

/**
 * Maximum over the points ({@code nn.AdaptiveMaxPool1d(1)} on [B, C, P]): [B, C, 1], the
 * order-independent global feature of PointNet. No keys.
 */
public final class MaxPoolPoints extends AnyChannelsLayer {
    @Override
    public NDArray forward(NDArray x) {
        if (x.getShape().dimension() != 3) {
            throw inputError("expects [B, C, P], got " + x.getShape(), "per-point features [B, C, P]");
        }
        return x.max(new int[] {2}, true);
    }

    @Override
    public String describe() {
        return "MaxPoolPoints";
    }
}
