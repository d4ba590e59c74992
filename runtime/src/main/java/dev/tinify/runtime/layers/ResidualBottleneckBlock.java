package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.jspecify.annotations.Nullable;

/**
 * CompressAI's {@code ResidualBottleneckBlock(in, out)} (ELIC):
 * {@code conv3(relu(conv2(relu(conv1(x))))) + skip(x)} with 1×1 → 3×3 → 1×1 convolutions through
 * {@code min(in, out)/2} channels; {@code skip} is a 1×1 convolution when {@code in != out}, else
 * the identity. Keys: {@code conv1.*}, {@code conv2.*}, {@code conv3.*}, {@code skip.*}.
 */
public final class ResidualBottleneckBlock extends FixedChannelsLayer {
    private final Conv2d conv1;
    private final Conv2d conv2;
    private final Conv2d conv3;
    private final @Nullable Conv2d skip;
    private final Activation act = Activation.relu();

    public ResidualBottleneckBlock(NDManager manager, int in, int out) {
        super(in, out);
        int mid = Math.min(in, out) / 2;
        if (mid <= 0) {
            throw new IllegalArgumentException("ResidualBottleneckBlock needs at least 2 channels, got in=" + in + " out=" + out);
        }
        this.conv1 = child("conv1", Conv2d.conv1x1(manager, in, mid));
        this.conv2 = child("conv2", Conv2d.conv3x3(manager, mid, mid));
        this.conv3 = child("conv3", Conv2d.conv1x1(manager, mid, out));
        this.skip = in != out ? child("skip", Conv2d.conv1x1(manager, in, out)) : null;
    }

    @Override
    public NDArray forward(NDArray x) {
        requireInput(x);
        NDArray y = pipe(x, conv1, act, conv2, act, conv3);
        return addShortcut(y, x, skip);
    }
}
