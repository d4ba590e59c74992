package dev.tinify.runtime.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.convolutional.Conv3d;
import ai.djl.pytorch.jni.JniUtils;
import org.jspecify.annotations.Nullable;

/** Convolution helpers over NCHW arrays. */
public final class ConvOps {
    private static final Shape ONE = new Shape(1, 1);
    /** Lane count of the widest vector block (AVX-512 floats); a multiple of the AVX2 block. */
    private static final long BLOCK = 16;

    private ConvOps() {}

    /**
     * Cross-correlation as {@code torch.nn.functional.conv2d}: {@code weight} is
     * [out, in, kh, kw], {@code bias} [out] or null, symmetric zero padding.
     */
    public static NDArray conv2d(NDArray x, NDArray weight, @Nullable NDArray bias, int stride, int padding) {
        long in = weight.getShape().get(1);
        long out = weight.getShape().get(0);
        if ((needsPadding(in) || needsPadding(out)) && BlockedConvProbe.paddingNeeded() && !directForward(weight, stride, padding)) {
            return paddedConv2d(x, weight, bias, stride, padding, in, out);
        }
        return torchConv2d(x, weight, bias, stride, padding, 1);
    }

    /**
     * {@code torch.nn.functional.conv1d} with stride 1 and no padding: {@code x} is [B, in, P],
     * {@code weight} [out, in/groups, k], {@code bias} [out] or null. Computed as a 2-D convolution
     * of height 1 through {@link #conv2d} (so the channel padding applies), group by group when
     * {@code groups > 1}.
     */
    public static NDArray conv1d(NDArray x, NDArray weight, @Nullable NDArray bias, int groups) {
        long in = x.getShape().get(1);
        long out = weight.getShape().get(0);
        try (NDManager scope = x.getManager().newSubManager()) {
            NDList parts = new NDList();
            for (int g = 0; g < groups; g++) {
                NDArray xg = groups == 1 ? x : x.get(new NDIndex(":, {}:{}", g * in / groups, (g + 1) * in / groups));
                NDArray wg = groups == 1 ? weight : weight.get(new NDIndex("{}:{}", g * out / groups, (g + 1) * out / groups));
                NDArray bg = bias == null || groups == 1 ? bias : bias.get(new NDIndex("{}:{}", g * out / groups, (g + 1) * out / groups));
                NDArray y = conv2d(xg.expandDims(2), wg.expandDims(2), bg, 1, 0).squeeze(2);
                y.attach(scope);
                parts.add(y);
            }
            NDArray result = groups == 1 ? parts.get(0) : NDArrays.concat(parts, 1);
            result.attach(x.getManager());
            return result;
        }
    }

    /**
     * Depthwise cross-correlation without padding: {@code weight} is [C, 1, kh, kw] and each of the
     * C channels of {@code x} is filtered by its own kernel. On engines whose blocked kernels fail
     * for partial vector blocks ({@link BlockedConvProbe}) the channels are zero-padded to a
     * multiple of {@value #BLOCK} (extra channels filter zeros with zero kernels) and cut again.
     */
    public static NDArray depthwiseConv2d(NDArray x, NDArray weight) {
        long channels = weight.getShape().get(0);
        long extra = channels % BLOCK == 0 || !BlockedConvProbe.paddingNeeded() ? 0 : padded(channels) - channels;
        try (NDManager scope = x.getManager().newSubManager()) {
            NDArray xP = padChannels(scope, x, 1, extra);
            NDArray wP = padChannels(scope, weight, 0, extra);
            NDArray y = torchConv2d(xP, wP, null, 1, 0, Math.toIntExact(channels + extra));
            y.attach(scope);
            NDArray result = extra == 0 ? y : y.get(new NDIndex(":, :{}", channels));
            result.attach(x.getManager());
            return result;
        }
    }

    /**
     * The engine's convolution, {@code torch.nn.functional.conv2d} with square stride and padding.
     * PyTorch runs the convolutions it finds too small for oneDNN ({@link #onTorchKernel}) on its
     * own 2-D kernel, and before choosing that kernel it asks whether NNPACK is available; on CPUs
     * NNPACK does not support, every such question prints "Could not initialize NNPACK! Reason:
     * Unsupported hardware" to stderr. Those convolutions therefore run as 3-D convolutions of
     * depth 1: PyTorch's own 3-D kernel never asks, and its values and gradients are bit for bit
     * those of the 2-D kernel, at the same speed. Every convolution goes through here.
     */
    static NDArray torchConv2d(NDArray x, NDArray weight, @Nullable NDArray bias, int stride, int padding, int groups) {
        if (!onTorchKernel(x, weight, stride, groups)) {
            return Conv2d.conv2d(x, weight, bias, new Shape(stride, stride), new Shape(padding, padding), ONE, groups)
                    .singletonOrThrow();
        }
        try (NDArray x3 = x.expandDims(2);
                NDArray w3 = weight.expandDims(2);
                NDArray y3 = Conv3d.conv3d(x3, w3, bias, new Shape(1, stride, stride), new Shape(0, padding, padding),
                        new Shape(1, 1, 1), groups).singletonOrThrow()) {
            return y3.squeeze(2);
        }
    }

    /**
     * Whether PyTorch 2.7 would run this undilated convolution on its own kernel rather than
     * oneDNN's ({@code ConvParams::use_mkldnn}): oneDNN takes float32 only, and not a 1x1
     * stride-1 convolution of fewer than 16 items on one thread, nor one of a single item with a
     * kernel at most 3 wide on at most 20,480 input values, unless grouped.
     */
    private static boolean onTorchKernel(NDArray x, NDArray weight, int stride, int groups) {
        if (x.getDataType() != DataType.FLOAT32) {
            return true;
        }
        Shape xs = x.getShape();
        long batch = xs.get(0);
        long kh = weight.getShape().get(2);
        long kw = weight.getShape().get(3);
        boolean notPointwise = stride > 1 || batch >= 16 || kh != 1 || kw != 1 || JniUtils.getNumThreads() > 1;
        boolean large = groups > 1 || (kh > 3 && kw > 3) || batch > 1 || xs.size() > 20480;
        return !(notPointwise && large);
    }

    /**
     * Whether an inference convolution may run unpadded on an engine whose blocked kernels need
     * padding: fewer input channels than one block (a first convolution's 3 or 6) into whole
     * blocks, a square kernel with padding {@code kernel / 2}, and a forward kernel the probe found
     * right. Such inputs fail only in the backward kernels, so recorded passes stay padded.
     */
    private static boolean directForward(NDArray weight, int stride, int padding) {
        Shape s = weight.getShape();
        long in = s.get(1);
        long out = s.get(0);
        long kernel = s.get(2);
        return in < BLOCK && out % BLOCK == 0 && kernel == s.get(3) && padding == kernel / 2 && !Autograd.recording()
                && BlockedConvProbe.forwardCorrect((int) in, (int) out, (int) kernel, stride);
    }

    /**
     * Channel counts that partly fill a 16-lane block. Counts below one block fail too, in the
     * backward kernels (8 channels gave NaN gradients on the machine that showed the fault).
     */
    private static boolean needsPadding(long channels) {
        return channels % BLOCK != 0;
    }

    private static long padded(long channels) {
        return (channels + BLOCK - 1) / BLOCK * BLOCK;
    }

    /**
     * The same convolution with input and output channels zero-padded to a multiple of
     * {@value #BLOCK}, for engines whose blocked kernels fail otherwise ({@link BlockedConvProbe}).
     * The output channels count too: the backward pass convolves the output gradient. Zero
     * channels add exact zeros, and the padding is made of ordinary differentiable ops, so values
     * and gradients are those of the unpadded convolution.
     */
    private static NDArray paddedConv2d(NDArray x, NDArray weight, @Nullable NDArray bias, int stride, int padding,
                                        long in, long out) {
        long inExtra = padded(in) - in;
        long outExtra = padded(out) - out;
        try (NDManager scope = x.getManager().newSubManager()) {
            NDArray xP = padChannels(scope, x, 1, inExtra);
            NDArray wP = padChannels(scope, padChannels(scope, weight, 1, inExtra), 0, outExtra);
            NDArray bP = bias == null ? null : padChannels(scope, bias, 0, outExtra);
            NDArray y = torchConv2d(xP, wP, bP, stride, padding, 1);
            y.attach(scope);
            NDArray result = outExtra == 0 ? y : y.get(new NDIndex(":, :{}", out));
            result.attach(x.getManager());
            return result;
        }
    }

    /** {@code a} with {@code extra} zero entries appended along {@code axis}; temporaries in {@code scope}. */
    private static NDArray padChannels(NDManager scope, NDArray a, int axis, long extra) {
        if (extra == 0) {
            return a;
        }
        long[] dims = a.getShape().getShape().clone(); // getShape() exposes the array itself
        dims[axis] = extra;
        NDArray zeros = scope.zeros(new Shape(dims), a.getDataType());
        NDArray joined = a.concat(zeros, axis);
        joined.attach(scope);
        return joined;
    }

    /**
     * Pixel shuffle ({@code torch.nn.PixelShuffle}): [B, C·r², H, W] → [B, C, H·r, W·r], where
     * input channel {@code c·r² + i·r + j} becomes output pixel {@code (h·r + i, w·r + j)} of
     * channel {@code c}.
     */
    public static NDArray pixelShuffle(NDArray x, int r) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) % ((long) r * r) != 0) {
            throw new IllegalArgumentException("pixel shuffle by " + r + " needs [B, C*" + r * r + ", H, W], got " + s);
        }
        long b = s.get(0);
        long c = s.get(1) / ((long) r * r);
        long h = s.get(2);
        long w = s.get(3);
        try (NDArray split = x.reshape(b, c, r, r, h, w);
                NDArray moved = split.transpose(0, 1, 4, 2, 5, 3)) {
            return moved.reshape(b, c, h * r, w * r);
        }
    }

    /** Spatial output size of a convolution along one axis. */
    public static long convOutSize(long in, int kernel, int stride, int padding) {
        return Math.floorDiv(in + 2L * padding - kernel, stride) + 1;
    }
}
