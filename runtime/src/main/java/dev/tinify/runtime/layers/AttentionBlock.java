package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * CompressAI's simplified attention block {@code AttentionBlock(N)} (Cheng et al. 2020):
 * {@code conv_a(x) * sigmoid(conv_b(x)) + x}, with {@code conv_a} three {@link ResidualUnit}s and
 * {@code conv_b} three residual units followed by a 1×1 convolution. Keys: {@code conv_a.0-2.*},
 * {@code conv_b.0-2.*}, {@code conv_b.3.*}.
 */
public final class AttentionBlock extends FixedChannelsLayer {
    private final Sequential convA;
    private final Sequential convB;

    public AttentionBlock(NDManager manager, int channels) {
        super(channels);
        this.convA = child("conv_a", new Sequential(
                new ResidualUnit(manager, channels),
                new ResidualUnit(manager, channels),
                new ResidualUnit(manager, channels)));
        this.convB = child("conv_b", new Sequential(
                new ResidualUnit(manager, channels),
                new ResidualUnit(manager, channels),
                new ResidualUnit(manager, channels),
                Conv2d.conv1x1(manager, channels, channels)));
    }

    @Override
    public NDArray forward(NDArray x) {
        requireInput(x);
        NDArray gated;
        try (NDArray a = convA.forward(x);
                NDArray b = convB.forward(x);
                NDArray gate = ai.djl.nn.Activation.sigmoid(b)) {
            gated = a.mul(gate);
        }
        return addConsuming(gated, x);
    }
}
