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
    /** {@code weight}, or for a spectral convolution {@code weight_transformed}. */
    private final Param weight;
    private final @Nullable Param bias;
    private final @Nullable SpectralKernel spectral;

    /** Padding {@code kernel/2}, with bias. */
    public Conv2d(NDManager manager, int in, int out, int kernel, int stride) {
        this(manager, in, out, kernel, stride, kernel / 2, true);
    }

    public Conv2d(NDManager manager, int in, int out, int kernel, int stride, int padding, boolean bias) {
        this(manager, in, out, kernel, stride, padding, bias, false);
    }

    /**
     * With {@code spectral}, the weight is stored in the frequency domain ({@link SpectralConv2d}):
     * {@code bias} then {@code weight_transformed}, in CompressAI's order.
     */
    protected Conv2d(NDManager manager, int in, int out, int kernel, int stride, int padding, boolean bias, boolean spectral) {
        super(in, out);
        if (in <= 0 || out <= 0 || kernel <= 0 || stride <= 0 || padding < 0) {
            throw new IllegalArgumentException("Conv2d needs positive channels, kernel and stride and padding >= 0, got in="
                    + in + " out=" + out + " kernel=" + kernel + " stride=" + stride + " padding=" + padding);
        }
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        long fanIn = (long) in * kernel * kernel;
        NDArray spatial = Init.fanInUniform(manager, fanIn, out, in, kernel, kernel);
        if (spectral) {
            this.spectral = new SpectralKernel(manager, kernel);
            this.bias = bias ? parameter("bias", Init.fanInUniform(manager, fanIn, out)) : null;
            this.weight = parameter("weight_transformed", this.spectral.transform(spatial));
            spatial.close();
        } else {
            this.spectral = null;
            this.weight = parameter("weight", spatial);
            this.bias = bias ? parameter("bias", Init.fanInUniform(manager, fanIn, out)) : null;
        }
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

    /**
     * The weight the forward pass uses; subclasses apply masks here. The caller closes it if it is
     * not the stored parameter ({@link #storedWeight()}).
     */
    protected NDArray effectiveWeight() {
        return weight();
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

    /**
     * The spatial weight [out, in, k, k]: the stored parameter, or for a spectral convolution a new
     * array derived from {@code weight_transformed}, which the caller closes.
     */
    public NDArray weight() {
        return spectral == null ? weight.value() : spectral.inverse(weight.value());
    }

    /** The stored weight parameter: {@code weight}, or {@code weight_transformed} for a spectral convolution. */
    public NDArray storedWeight() {
        return weight.value();
    }

    /** The spatial weight's values, row-major [out, in, k, k]. */
    public float[] weightValues() {
        NDArray w = weight();
        try {
            return w.toFloatArray();
        } finally {
            if (w != weight.value()) {
                w.close();
            }
        }
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
