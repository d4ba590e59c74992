package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.jspecify.annotations.Nullable;

/**
 * CompressAI's {@code ResidualBlock(in, out)}:
 * {@code leaky(conv2(leaky(conv1(x)))) + skip(x)} with 3×3 convolutions; {@code skip} is a 1×1
 * convolution when {@code in != out}, else the identity. Keys: {@code conv1.*}, {@code conv2.*},
 * {@code skip.*}.
 */
public final class ResidualBlock extends FixedChannelsLayer {
    private final Conv2d conv1;
    private final Conv2d conv2;
    private final @Nullable Conv2d skip;
    private final Activation act = Activation.leakyRelu();

    public ResidualBlock(NDManager manager, int in, int out) {
        super(in, out);
        this.conv1 = child("conv1", Conv2d.conv3x3(manager, in, out));
        this.conv2 = child("conv2", Conv2d.conv3x3(manager, out, out));
        this.skip = in != out ? child("skip", Conv2d.conv1x1(manager, in, out)) : null;
    }

    @Override
    public NDArray forward(NDArray x) {
        requireInput(x);
        NDArray y = pipe(x, conv1, act, conv2, act);
        return addShortcut(y, x, skip);
    }
}
