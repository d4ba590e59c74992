package dev.tinify.runtime.codecs.context;

import java.util.ArrayList;
import java.util.List;

/**
 * A raster-scan masked convolution (CompressAI's {@code MaskedConv2d}, type A) reduced to its
 * causal taps, for computing one position's context from already decoded positions: the
 * context at (h, w) is {@code bias + sum over taps t, channels c of W[t][c][:] * yHat[(h, w) + t][c]}.
 * Out-of-image taps read zero padding, so they are skipped.
 *
 * <p>The weights are the effective ones (weight times mask), stored as {@code [tap][in][out]}.
 */
public final class CausalKernel {
    private final int inChannels;
    private final int outChannels;
    private final int[] dy;
    private final int[] dx;
    private final float[] weightT;
    private final float[] bias;

    private CausalKernel(int inChannels, int outChannels, int[] dy, int[] dx, float[] weightT, float[] bias) {
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.dy = dy;
        this.dx = dx;
        this.weightT = weightT;
        this.bias = bias;
    }

    /**
     * Builds the kernel from PyTorch-layout tensors.
     *
     * @param weight {@code [out, in, k, k]} flattened
     * @param mask same shape as weight, or null if the weight is already masked
     * @param bias {@code out} values, or empty for none
     * @throws IllegalArgumentException if the shapes disagree or a nonzero tap is not strictly
     *     before the centre in raster order (such a kernel cannot be decoded position by position)
     */
    public static CausalKernel of(int out, int in, int k, float[] weight, float @org.jspecify.annotations.Nullable [] mask, float[] bias) {
        long n = (long) out * in * k * k;
        if (k <= 0 || k % 2 == 0 || weight.length != n || (mask != null && mask.length != n)) {
            throw new IllegalArgumentException("context kernel: expected an odd square kernel with " + out + "x" + in
                    + "x" + k + "x" + k + " weights" + (mask != null ? " and mask" : "") + ", got " + weight.length
                    + " weights" + (mask != null ? " and " + mask.length + " mask values" : ""));
        }
        if (bias.length != out && bias.length != 0) {
            throw new IllegalArgumentException("context kernel: bias has " + bias.length + " values, expected " + out);
        }
        int half = k / 2;
        List<int[]> taps = new ArrayList<>();
        for (int ky = 0; ky < k; ky++) {
            for (int kx = 0; kx < k; kx++) {
                boolean used = false;
                for (int o = 0; o < out && !used; o++) {
                    for (int c = 0; c < in && !used; c++) {
                        int i = ((o * in + c) * k + ky) * k + kx;
                        used = effective(weight, mask, i) != 0f;
                    }
                }
                if (!used) {
                    continue;
                }
                boolean causal = ky < half || (ky == half && kx < half);
                if (!causal) {
                    throw new IllegalArgumentException("context kernel: tap (" + ky + ", " + kx + ") of the " + k + "x" + k
                            + " kernel is nonzero but not before the centre in raster order; an autoregressive"
                            + " context needs a type-A masked convolution");
                }
                taps.add(new int[] {ky, kx});
            }
        }
        int t = taps.size();
        int[] dy = new int[t];
        int[] dx = new int[t];
        float[] wT = new float[t * in * out];
        for (int ti = 0; ti < t; ti++) {
            int ky = taps.get(ti)[0];
            int kx = taps.get(ti)[1];
            dy[ti] = ky - half;
            dx[ti] = kx - half;
            for (int c = 0; c < in; c++) {
                for (int o = 0; o < out; o++) {
                    wT[(ti * in + c) * out + o] = effective(weight, mask, ((o * in + c) * k + ky) * k + kx);
                }
            }
        }
        return new CausalKernel(in, out, dy, dx, wT, bias.length == 0 ? new float[out] : bias.clone());
    }

    private static float effective(float[] weight, float @org.jspecify.annotations.Nullable [] mask, int i) {
        return mask == null ? weight[i] : weight[i] * mask[i];
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    /** Number of causal taps (12 for a 5x5 type-A mask). */
    public int taps() {
        return dy.length;
    }

    /**
     * Writes the context of position (h, w) to {@code ctx[off .. off+outChannels)}.
     *
     * @param yHat decoded latent, position-major ({@code [height][width][inChannels]})
     */
    public void context(float[] yHat, int height, int width, int h, int w, float[] ctx, int off) {
        int out = outChannels;
        int in = inChannels;
        System.arraycopy(bias, 0, ctx, off, out);
        float[] wT = weightT;
        for (int t = 0; t < dy.length; t++) {
            int y = h + dy[t];
            int x = w + dx[t];
            if (y < 0 || y >= height || x < 0 || x >= width) {
                continue;
            }
            int src = (y * width + x) * in;
            int wBase = t * in * out;
            for (int c = 0; c < in; c++) {
                float a = yHat[src + c];
                if (a != 0f) {
                    axpyAt(a, wT, wBase + c * out, ctx, off, out);
                }
            }
        }
    }

    private static void axpyAt(float a, float[] w, int wOff, float[] acc, int accOff, int n) {
        for (int o = 0; o < n; o++) {
            acc[accOff + o] += a * w[wOff + o];
        }
    }
}
