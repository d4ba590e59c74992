package dev.tinify.runtime.video;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import dev.tinify.runtime.ops.ConvOps;
import dev.tinify.runtime.ops.Scalars;

/**
 * The Gaussian scale-space volume of a frame, as CompressAI's {@code ScaleSpaceFlow.gaussian_volume}
 * (after Yang et al.): level 0 is the frame itself, level 1 the frame blurred with a Gaussian of
 * standard deviation σ₀, and level {@code i+1} (1 ≤ i < levels) the previous level's
 * half-resolution image (2×2 mean), blurred again and brought back to full size by {@code i}
 * bilinear ×2 upsamplings. The result is [N, C, levels + 1, H, W].
 *
 * <p>The blur is CompressAI's {@code gaussian_blur}: a k×k kernel (k = 2·⌈3σ⌉ + 1, the outer
 * product of the normalized 1-D Gaussian), depthwise, over a replicate-padded image. Upsampling is
 * {@code interpolate(scale_factor=2, mode="bilinear", align_corners=False)}: every output sample
 * mixes its two nearest inputs with weights ¾ and ¼, the edge sample repeated. Everything is
 * made of differentiable engine operations, their constants in PyTorch-owned memory
 * ({@link Scalars}) so that backward does not depend on the garbage collector.
 */
public final class ScaleSpace {
    private ScaleSpace() {}

    /** The normalized 1-D Gaussian of {@code size} taps, computed in float32 as CompressAI does. */
    static float[] kernel1d(int size, double sigma) {
        float half = (size - 1) / 2f;
        float[] k = new float[size];
        float sum = 0;
        for (int i = 0; i < size; i++) {
            float x = -half + i;
            float u = x / (float) sigma;
            k[i] = (float) Math.exp(-0.5f * (u * u));
            sum += k[i];
        }
        for (int i = 0; i < size; i++) {
            k[i] /= sum;
        }
        return k;
    }

    /** The kernel size CompressAI derives from σ: {@code 2·⌈3σ⌉ + 1}. */
    static int kernelSize(double sigma) {
        return 2 * (int) Math.ceil(3 * sigma) + 1;
    }

    /**
     * The volume of {@code x} [N, C, H, W]: [N, C, levels + 1, H, W]. H and W must be multiples
     * of {@code 2^(levels-1)} so that every pyramid level halves exactly.
     */
    public static NDArray volume(NDArray x, double sigma, int levels) {
        Shape s = x.getShape();
        if (s.dimension() != 4) {
            throw new IllegalArgumentException("scale-space volume needs an [N, C, H, W] frame, got " + s);
        }
        if (levels < 1 || sigma <= 0) {
            throw new IllegalArgumentException("scale-space volume needs levels >= 1 and sigma > 0, got " + levels + ", " + sigma);
        }
        long factor = 1L << (levels - 1);
        if (s.get(2) % factor != 0 || s.get(3) % factor != 0) {
            throw new IllegalArgumentException("a " + levels + "-level scale-space volume needs height and width divisible by "
                    + factor + ", got " + s.get(2) + "x" + s.get(3));
        }
        NDArray kernel = blurKernel(x, sigma);
        NDList volume = new NDList();
        volume.add(x.expandDims(2));
        NDArray level = blur(x, kernel);
        volume.add(level.expandDims(2));
        for (int i = 1; i < levels; i++) {
            level = blur(meanPool2(level), kernel);
            NDArray interp = level;
            for (int j = 0; j < i; j++) {
                interp = upsample2(upsample2(interp, 3), 2);
            }
            volume.add(interp.expandDims(2));
        }
        return NDArrays.concat(volume, 2);
    }

    /** The depthwise blur weight [C, 1, k, k] for {@code x}'s channels. */
    private static NDArray blurKernel(NDArray x, double sigma) {
        int k = kernelSize(sigma);
        float[] k1 = kernel1d(k, sigma);
        long c = x.getShape().get(1);
        float[] w = new float[(int) c * k * k];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    w[(ch * k + i) * k + j] = k1[i] * k1[j];
                }
            }
        }
        // PyTorch-owned: the convolution saves its weight for backward, after this handle is closed.
        return Scalars.copyOf(x.getManager(), w, new Shape(c, 1, k, k));
    }

    /** CompressAI's {@code gaussian_blur}: replicate padding, then a depthwise convolution. */
    static NDArray blur(NDArray x, NDArray kernel) {
        int pad = (int) kernel.getShape().get(2) / 2;
        NDArray padded = replicatePad(replicatePad(x, 3, pad), 2, pad);
        return ConvOps.depthwiseConv2d(padded, kernel);
    }

    /** Repeats the first and last slices of {@code axis} {@code pad} times on each side. */
    static NDArray replicatePad(NDArray x, int axis, int pad) {
        long n = x.getShape().get(axis);
        NDArray first = slice(x, axis, 0, 1).repeat(axis, pad);
        NDArray last = slice(x, axis, n - 1, n).repeat(axis, pad);
        return NDArrays.concat(new NDList(first, x, last), axis);
    }

    private static NDArray slice(NDArray x, int axis, long from, long to) {
        StringBuilder idx = new StringBuilder();
        for (int a = 0; a < axis; a++) {
            idx.append(":,");
        }
        idx.append(from).append(':').append(to);
        return x.get(idx.toString());
    }

    /** {@code avg_pool2d(kernel 2, stride 2)} on even sizes. */
    static NDArray meanPool2(NDArray x) {
        return Pool.avgPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false, true);
    }

    /**
     * Bilinear ×2 along one axis with {@code align_corners=False}: output {@code 2k} is
     * {@code ¼·x[k-1] + ¾·x[k]} and output {@code 2k+1} is {@code ¾·x[k] + ¼·x[k+1]}, indexes
     * clamped to the edge. Applied to the width and then the height, it gives PyTorch's 2-D form
     * {@code h₀(w₀·a + w₁·b) + h₁(w₀·c + w₁·d)}.
     */
    static NDArray upsample2(NDArray x, int axis) {
        long n = x.getShape().get(axis);
        NDArray prev = NDArrays.concat(new NDList(slice(x, axis, 0, 1), slice(x, axis, 0, n - 1)), axis);
        NDArray next = NDArrays.concat(new NDList(slice(x, axis, 1, n), slice(x, axis, n - 1, n)), axis);
        NDArray even = Scalars.mul(prev, 0.25f).add(Scalars.mul(x, 0.75f));
        NDArray odd = Scalars.mul(x, 0.75f).add(Scalars.mul(next, 0.25f));
        NDArray pairs = NDArrays.stack(new NDList(even, odd), axis + 1);
        Shape s = x.getShape();
        long[] dims = s.getShape();
        dims[axis] = 2 * n;
        return pairs.reshape(new Shape(dims));
    }
}
