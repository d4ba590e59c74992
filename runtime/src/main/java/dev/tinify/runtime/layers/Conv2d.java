package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.nn.Param;
import dev.tinify.runtime.ops.ConvOps;
import dev.tinify.runtime.ops.Init;
import org.jspecify.annotations.Nullable;

/**
 * 2-D convolution ({@code nn.Conv2d}): keys {@code weight} [out, in, k, k] and {@code bias} [out].
 * The short constructor pads by {@code kernel/2}, as CompressAI's {@code conv()},
 * {@code conv1x1} and {@code conv3x3} do. Parameters start as PyTorch's default,
 * U(-1/sqrt(in·k²), 1/sqrt(in·k²)) (see {@link Init} for seeding).
 */
public class Conv2d extends FixedChannelsLayer {
    private final int kernel;
    private final int stride;
    private final int padding;
    private final Param weight;
    private final @Nullable Param bias;

    /** Padding {@code kernel/2}, with bias. */
    public Conv2d(NDManager manager, int in, int out, int kernel, int stride) {
        this(manager, in, out, kernel, stride, kernel / 2, true);
    }

    public Conv2d(NDManager manager, int in, int out, int kernel, int stride, int padding, boolean bias) {
        super(in, out);
        if (in <= 0 || out <= 0 || kernel <= 0 || stride <= 0 || padding < 0) {
            throw new IllegalArgumentException("Conv2d needs positive channels, kernel and stride and padding >= 0, got in="
                    + in + " out=" + out + " kernel=" + kernel + " stride=" + stride + " padding=" + padding);
        }
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        long fanIn = (long) in * kernel * kernel;
        this.weight = parameter("weight", Init.fanInUniform(manager, fanIn, out, in, kernel, kernel));
        this.bias = bias ? parameter("bias", Init.fanInUniform(manager, fanIn, out)) : null;
    }

    /** CompressAI's {@code conv1x1(in, out)}. */
    public static Conv2d conv1x1(NDManager manager, int in, int out) {
        return new Conv2d(manager, in, out, 1, 1);
    }

    /** CompressAI's {@code conv1x1(in, out, stride)}. */
    public static Conv2d conv1x1(NDManager manager, int in, int out, int stride) {
        return new Conv2d(manager, in, out, 1, stride);
    }

    /** CompressAI's {@code conv3x3(in, out)}: padding 1. */
    public static Conv2d conv3x3(NDManager manager, int in, int out) {
        return new Conv2d(manager, in, out, 3, 1);
    }

    /** CompressAI's {@code conv3x3(in, out, stride)}: padding 1. */
    public static Conv2d conv3x3(NDManager manager, int in, int out, int stride) {
        return new Conv2d(manager, in, out, 3, stride);
    }

    /** The weight the forward pass uses; subclasses apply masks here. The caller closes it if it is not {@link #weight()}. */
    protected NDArray effectiveWeight() {
        return weight.value();
    }

    @Override
    public NDArray forward(NDArray x) {
        requireInput(x);
        NDArray w = effectiveWeight();
        try {
            return ConvOps.conv2d(x, w, bias == null ? null : bias.value(), stride, padding);
        } finally {
            if (w != weight.value()) {
                w.close();
            }
        }
    }

    public NDArray weight() {
        return weight.value();
    }

    public @Nullable NDArray bias() {
        return bias == null ? null : bias.value();
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return padding;
    }

    @Override
    public int downsampling() {
        return stride;
    }

    @Override
    protected String describeDetails() {
        return ", k" + kernel + ", s" + stride + ", p" + padding;
    }
}
