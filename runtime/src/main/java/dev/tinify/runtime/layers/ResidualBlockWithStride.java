package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.jspecify.annotations.Nullable;

/**
 * CompressAI's {@code ResidualBlockWithStride(in, out, stride)}:
 * {@code gdn(conv2(leaky(conv1(x)))) + skip(x)}, where {@code conv1} is a 3×3 convolution with the
 * stride and {@code skip} a strided 1×1 convolution (the identity when stride is 1 and
 * {@code in == out}). Keys: {@code conv1.*}, {@code conv2.*}, {@code gdn.*}, {@code skip.*}.
 */
public final class ResidualBlockWithStride extends FixedChannelsLayer {
    private final int stride;
    private final Conv2d conv1;
    private final Conv2d conv2;
    private final Gdn gdn;
    private final @Nullable Conv2d skip;
    private final Activation act = Activation.leakyRelu();

    /** CompressAI's default stride 2. */
    public ResidualBlockWithStride(NDManager manager, int in, int out) {
        this(manager, in, out, 2);
    }

    public ResidualBlockWithStride(NDManager manager, int in, int out, int stride) {
        super(in, out);
        this.stride = stride;
        this.conv1 = child("conv1", Conv2d.conv3x3(manager, in, out, stride));
        this.conv2 = child("conv2", Conv2d.conv3x3(manager, out, out));
        this.gdn = child("gdn", new Gdn(manager, out, false));
        this.skip = stride != 1 || in != out ? child("skip", Conv2d.conv1x1(manager, in, out, stride)) : null;
    }

    @Override
    public NDArray forward(NDArray x) {
        requireInput(x);
        NDArray y = pipe(x, conv1, act, conv2, gdn);
        return addShortcut(y, x, skip);
    }

    @Override
    public int downsampling() {
        return stride;
    }

    @Override
    protected String describeDetails() {
        return ", s" + stride;
    }
}
