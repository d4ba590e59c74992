package dev.tinify.runtime.codecs.context;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A raster-scan masked convolution (CompressAI's {@code MaskedConv2d}, type A) reduced to its
 * causal taps, for computing one position's context from already decoded positions: the
 * context at (h, w) is {@code bias + sum over taps t, channels c of W[t][c][:] * yHat[(h, w) + t][c]}.
 * Out-of-image taps read zero padding. The taps in rows above are summed for a whole row at
 * once ({@link #startRow}); only the taps left of the position in its own row are sequential
 * ({@link #finishPosition}).
 *
 * <p>The weights are the effective ones (weight times mask), stored as {@code [tap][in][out]}.
 */
public final class CausalKernel {
    private final int inChannels;
    private final int outChannels;
    private final int[] dy;
    private final int[] dx;
    private final float[][] weightT;
    private final float[] bias;
    private final int aboveTaps;

    private CausalKernel(int inChannels, int outChannels, int[] dy, int[] dx, float[][] weightT, float[] bias) {
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.dy = dy;
        this.dx = dx;
        this.weightT = weightT;
        this.bias = bias;
        int n = 0;
        while (n < dy.length && dy[n] < 0) {
            n++;
        }
        this.aboveTaps = n;
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
    public static CausalKernel of(int out, int in, int k, float[] weight, float @Nullable [] mask, float[] bias) {
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
        int kk = k * k;
        // one sequential pass finds the taps any (out, in) pair uses
        boolean[] used = new boolean[kk];
        for (int i = 0; i < weight.length; i++) {
            if (effective(weight, mask, i) != 0f) {
                used[i % kk] = true;
            }
        }
        int[] tapOf = new int[kk];
        List<int[]> taps = new ArrayList<>();
        for (int ky = 0; ky < k; ky++) {
            for (int kx = 0; kx < k; kx++) {
                tapOf[ky * k + kx] = -1;
                if (!used[ky * k + kx]) {
                    continue;
                }
                boolean causal = ky < half || (ky == half && kx < half);
                if (!causal) {
                    throw new IllegalArgumentException("context kernel: tap (" + ky + ", " + kx + ") of the " + k + "x" + k
                            + " kernel is nonzero but not before the centre in raster order; an autoregressive"
                            + " context needs a type-A masked convolution");
                }
                tapOf[ky * k + kx] = taps.size();
                taps.add(new int[] {ky, kx});
            }
        }
        int t = taps.size();
        int[] dy = new int[t];
        int[] dx = new int[t];
        for (int ti = 0; ti < t; ti++) {
            dy[ti] = taps.get(ti)[0] - half;
            dx[ti] = taps.get(ti)[1] - half;
        }
        float[][] rows = new float[t * in][out];
        for (int o = 0; o < out; o++) {
            for (int c = 0; c < in; c++) {
                int base = (o * in + c) * kk;
                for (int j = 0; j < kk; j++) {
                    int ti = tapOf[j];
                    if (ti >= 0) {
                        rows[ti * in + c][o] = effective(weight, mask, base + j);
                    }
                }
            }
        }
        return new CausalKernel(in, out, dy, dx, rows, bias.length == 0 ? new float[out] : bias.clone());
    }

    private static float effective(float[] weight, float @Nullable [] mask, int i) {
        return mask == null ? weight[i] : weight[i] * mask[i];
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    /** Taps in the rows above the centre; they come first (taps are in raster order). */
    int aboveTaps() {
        return aboveTaps;
    }

    /**
     * Starts the context of every position of row {@code h}: {@code acc[w]} gets the bias plus
     * the terms of the taps in the rows above, which are all decoded before the row starts and are
     * therefore summed for the whole row at once.
     *
     * @param yHat decoded latent, position-major ({@code [height][width][inChannels]})
     * @param taps scratch of {@code width} arrays of {@code aboveTaps() * inChannels} values
     */
    void startRow(float[] yHat, int width, int h, float[][] acc, float[][] taps) {
        int in = inChannels;
        int above = aboveTaps;
        for (int w = 0; w < width; w++) {
            float[] xw = taps[w];
            for (int t = 0; t < above; t++) {
                int y = h + dy[t];
                int x = w + dx[t];
                if (y < 0 || x < 0 || x >= width) {
                    Arrays.fill(xw, t * in, (t + 1) * in, 0f);
                } else {
                    System.arraycopy(yHat, (y * width + x) * in, xw, t * in, in);
                }
            }
            System.arraycopy(bias, 0, acc[w], 0, outChannels);
        }
        Gemv.accumulateBlock(weightT, 0, above * in, taps, acc, width, outChannels);
    }

    /** Adds the terms of the taps left of (h, w) in its own row to {@code acc}: the sequential part. */
    void finishPosition(float[] yHat, int width, int h, int w, float[] acc, Scratch scratch) {
        int in = inChannels;
        float[] xs = scratch.values;
        int[] rows = scratch.rows;
        int count = 0;
        for (int t = aboveTaps; t < dy.length; t++) {
            int x = w + dx[t];
            if (x < 0) {
                continue;
            }
            int src = (h * width + x) * in;
            int rowBase = t * in;
            for (int c = 0; c < in; c++) {
                float a = yHat[src + c];
                if (a != 0f) {
                    xs[count] = a;
                    rows[count++] = rowBase + c;
                }
            }
        }
        Gemv.accumulate(weightT, rows, xs, count, acc, outChannels);
    }

    /** Buffers for {@link #finishPosition} (one per thread). */
    Scratch newScratch() {
        return new Scratch(dy.length * inChannels);
    }

    /** Per-thread gather buffers: the tap values and their weight rows. */
    static final class Scratch {
        final float[] values;
        final int[] rows;

        private Scratch(int n) {
            values = new float[n];
            rows = new int[n];
        }
    }
}
