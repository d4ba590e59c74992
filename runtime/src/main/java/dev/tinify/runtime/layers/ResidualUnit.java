package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The residual unit inside CompressAI's {@code AttentionBlock(N)}:
 * {@code relu(conv(x) + x)} with {@code conv = Sequential(conv1x1(N, N/2), ReLU,
 * conv3x3(N/2, N/2), ReLU, conv1x1(N/2, N))}. Keys: {@code conv.0.*}, {@code conv.2.*},
 * {@code conv.4.*}.
 */
public final class ResidualUnit extends FixedChannelsLayer {
    private final Sequential conv;
    private final Activation relu = Activation.relu();

    public ResidualUnit(NDManager manager, int channels) {
        super(channels);
        int half = channels / 2;
        if (half <= 0) {
            throw new IllegalArgumentException("ResidualUnit needs at least 2 channels, got " + channels);
        }
        this.conv = child("conv", new Sequential(
                Conv2d.conv1x1(manager, channels, half),
                Activation.relu(),
                Conv2d.conv3x3(manager, half, half),
                Activation.relu(),
                Conv2d.conv1x1(manager, half, channels)));
    }

    @Override
    public NDArray forward(NDArray x) {
        requireInput(x);
        try (NDArray sum = addConsuming(conv.forward(x), x)) {
            return relu.forward(sum);
        }
    }
}
