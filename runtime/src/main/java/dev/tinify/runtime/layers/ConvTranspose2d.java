package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.nn.Param;
import dev.tinify.runtime.ops.ConvOps;
import dev.tinify.runtime.ops.Init;
import org.jspecify.annotations.Nullable;

/**
 * Transposed convolution as CompressAI's {@code deconv(in, out, k, s)}: {@code nn.ConvTranspose2d}
 * with padding {@code k/2} and output padding {@code s-1}, so an H×W input gives exactly
 * {@code sH×sW}. Keys: {@code weight} in PyTorch's layout [in, out, k, k] and {@code bias} [out].
 * Initialization follows PyTorch, whose fan-in for this layout is {@code out·k²}.
 *
 * <p>The DJL PyTorch engine has no transposed convolution, so this runs the polyphase form: output
 * pixel {@code (sY + ry, sX + rx)} only meets the kernel taps of phase {@code (ry, rx)}, so all s²
 * phases are one stride-1 convolution with {@code s²·out} output channels followed by a pixel
 * shuffle. No zero-stuffed input is built, and everything stays differentiable in the input,
 * weight and bias. The phase kernels are the original taps rearranged by a constant 0/1 matrix
 * (one matmul per forward, negligible next to the convolution).
 *
 * <p>Only odd kernels are supported: for those the result size is exactly {@code sH}.
 */
public class ConvTranspose2d extends FixedChannelsLayer {
    private final int kernel;
    private final int stride;
    private final int padding;
    /** Half-width of the phase kernels: they are (2·reach+1)² and the phase convolution pads by reach. */
    private final int reach;
    /** {@code weight}, or for a spectral transposed convolution {@code weight_transformed}. */
    private final Param weight;
    private final Param bias;
    private final @Nullable SpectralKernel spectral;
    /** [k², s²·J²] 0/1 matrix mapping original taps to phase taps; a constant, not state. */
    private final NDArray tapSelection;

    public ConvTranspose2d(NDManager manager, int in, int out, int kernel, int stride) {
        this(manager, in, out, kernel, stride, false);
    }

    /**
     * With {@code spectral}, the weight is stored in the frequency domain ({@link
     * SpectralConvTranspose2d}): {@code bias} then {@code weight_transformed}, in CompressAI's order.
     */
    protected ConvTranspose2d(NDManager manager, int in, int out, int kernel, int stride, boolean spectral) {
        super(in, out);
        if (in <= 0 || out <= 0 || stride <= 0 || kernel <= 0 || kernel % 2 == 0) {
            throw new IllegalArgumentException("ConvTranspose2d needs positive channels and stride and an odd kernel, got in="
                    + in + " out=" + out + " kernel=" + kernel + " stride=" + stride);
        }
        this.kernel = kernel;
        this.stride = stride;
        this.padding = kernel / 2;
        this.reach = reach(kernel, stride, padding);
        long fanIn = (long) out * kernel * kernel;
        NDArray spatial = Init.fanInUniform(manager, fanIn, in, out, kernel, kernel);
        if (spectral) {
            this.spectral = new SpectralKernel(manager, kernel);
            this.bias = parameter("bias", Init.fanInUniform(manager, fanIn, out));
            this.weight = parameter("weight_transformed", this.spectral.transform(spatial));
            spatial.close();
        } else {
            this.spectral = null;
            this.weight = parameter("weight", spatial);
            this.bias = parameter("bias", Init.fanInUniform(manager, fanIn, out));
        }
        int j = 2 * reach + 1;
        this.tapSelection = manager.create(selection(kernel, stride, padding, reach), new Shape((long) kernel * kernel, (long) stride * stride * j * j));
    }

    /**
     * Phase {@code r} (0 ≤ r < s) of output row {@code sY + r} reads input rows {@code Y + j} with
     * kernel tap {@code m = r + p - s·j}; {@code reach} is the largest |j| over all phases with a
     * valid tap 0 ≤ m < k.
     */
    static int reach(int kernel, int stride, int padding) {
        int reach = 0;
        for (int r = 0; r < stride; r++) {
            int jMax = Math.floorDiv(r + padding, stride);
            int jMin = -Math.floorDiv(-(r + padding - kernel + 1), stride);
            reach = Math.max(reach, Math.max(jMax, -jMin));
        }
        return reach;
    }

    private static float[] selection(int kernel, int stride, int padding, int reach) {
        int j = 2 * reach + 1;
        int cols = stride * stride * j * j;
        float[] t = new float[kernel * kernel * cols];
        for (int ry = 0; ry < stride; ry++) {
            for (int rx = 0; rx < stride; rx++) {
                for (int jy = -reach; jy <= reach; jy++) {
                    for (int jx = -reach; jx <= reach; jx++) {
                        int my = ry + padding - stride * jy;
                        int mx = rx + padding - stride * jx;
                        if (my < 0 || my >= kernel || mx < 0 || mx >= kernel) {
                            continue;
                        }
                        int col = ((ry * stride + rx) * j + (jy + reach)) * j + (jx + reach);
                        t[(my * kernel + mx) * cols + col] = 1f;
                    }
                }
            }
        }
        return t;
    }

    /**
     * The stride-1 convolution kernel of all phases, [s²·out, in, J, J], with output channel
     * {@code o·s² + ry·s + rx} for phase (ry, rx) of channel o: the order pixel shuffle expects.
     * A new array; the caller closes it.
     */
    public NDArray phaseWeight() {
        NDArray w = weight();
        int j = 2 * reach + 1;
        NDArray sel = tapSelection;
        boolean converted = sel.getDataType() != w.getDataType();
        if (converted) {
            sel = sel.toType(w.getDataType(), false);
        }
        try (NDArray flat = w.reshape((long) in * out, (long) kernel * kernel);
                NDArray taps = flat.matMul(sel);
                NDArray split = taps.reshape(in, out, (long) stride * stride, j, j);
                NDArray moved = split.transpose(1, 2, 0, 3, 4)) {
            return moved.reshape((long) out * stride * stride, in, j, j);
        } finally {
            if (converted) {
                sel.close();
            }
            if (w != weight.value()) {
                w.close();
            }
        }
    }

    @Override
    public NDArray forward(NDArray x) {
        requireInput(x);
        NDArray b = bias.value();
        if (stride == 1) {
            try (NDArray w = phaseWeight()) {
                return ConvOps.conv2d(x, w, b, 1, reach);
            }
        }
        int s2 = stride * stride;
        try (NDArray w = phaseWeight();
                NDArray col = b.reshape(out, 1);
                NDArray wide = col.broadcast(out, s2);
                NDArray b2 = wide.reshape((long) out * s2);
                NDArray phases = ConvOps.conv2d(x, w, b2, 1, reach)) {
            return ConvOps.pixelShuffle(phases, stride);
        }
    }

    /**
     * The spatial weight [in, out, k, k]: the stored parameter, or for a spectral transposed
     * convolution a new array derived from {@code weight_transformed}, which the caller closes.
     */
    public NDArray weight() {
        return spectral == null ? weight.value() : spectral.inverse(weight.value());
    }

    /** The stored weight parameter: {@code weight}, or {@code weight_transformed} for a spectral layer. */
    public NDArray storedWeight() {
        return weight.value();
    }

    public NDArray bias() {
        return bias.value();
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    @Override
    public int upsampling() {
        return stride;
    }

    @Override
    protected String describeDetails() {
        return ", k" + kernel + ", s" + stride;
    }
}
