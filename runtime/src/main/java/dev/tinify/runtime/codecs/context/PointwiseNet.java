package dev.tinify.runtime.codecs.context;

import java.util.ArrayList;
import java.util.List;

/**
 * A chain of 1x1 convolutions and pointwise activations evaluated on one position's channel
 * vector in plain Java. Autoregressive coding runs such a network (CompressAI's
 * {@code entropy_parameters}) once per latent position; doing that through native tensor calls
 * costs far more in call overhead than in arithmetic.
 *
 * <p>Weights are stored transposed ({@code [in][out]}) so that each layer is a sequence of
 * {@code acc += x[i] * w[i][:]} updates over contiguous rows, which the JIT vectorizes. Inputs
 * that are exactly zero (frequent after a ReLU) are skipped: their products are zero.
 */
public final class PointwiseNet {
    /** A pointwise nonlinearity as CompressAI's entropy-parameter networks use them. */
    public enum Activation { RELU, LEAKY_RELU }

    private sealed interface Op permits Linear, Act {}

    private record Linear(int in, int out, float[] weightT, float[] bias) implements Op {}

    private record Act(Activation kind, float slope) implements Op {}

    private final int inChannels;
    private final int outChannels;
    private final int maxWidth;
    private final List<Op> ops;

    private PointwiseNet(int inChannels, List<Op> ops) {
        this.inChannels = inChannels;
        this.ops = List.copyOf(ops);
        int width = inChannels;
        int max = inChannels;
        for (Op op : ops) {
            if (op instanceof Linear l) {
                width = l.out;
                max = Math.max(max, width);
            }
        }
        this.outChannels = width;
        this.maxWidth = max;
    }

    /** Starts a network taking {@code inChannels} values per position. */
    public static Builder builder(int inChannels) {
        return new Builder(inChannels);
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    /** Scratch space one evaluation needs; reuse it across positions (one per thread). */
    public float[][] newScratch() {
        return new float[][] {new float[maxWidth], new float[maxWidth]};
    }

    /**
     * Evaluates the network on {@code in[inOff .. inOff+inChannels)} and writes
     * {@code outChannels} values to {@code out[outOff ..]}.
     */
    public void apply(float[] in, int inOff, float[] out, int outOff, float[][] scratch) {
        float[] cur = in;
        int curOff = inOff;
        int width = inChannels;
        int flip = 0;
        for (Op op : ops) {
            if (op instanceof Linear l) {
                float[] dst = scratch[flip];
                flip ^= 1;
                linear(l, cur, curOff, dst);
                cur = dst;
                curOff = 0;
                width = l.out;
            } else {
                Act a = (Act) op;
                if (cur == in) {
                    // never modify the caller's input in place
                    float[] dst = scratch[flip];
                    flip ^= 1;
                    System.arraycopy(in, inOff, dst, 0, width);
                    cur = dst;
                    curOff = 0;
                }
                activate(a, cur, width);
            }
        }
        System.arraycopy(cur, curOff, out, outOff, width);
    }

    private static void linear(Linear l, float[] x, int xOff, float[] acc) {
        int out = l.out;
        System.arraycopy(l.bias, 0, acc, 0, out);
        float[] w = l.weightT;
        for (int i = 0; i < l.in; i++) {
            float xi = x[xOff + i];
            if (xi != 0f) {
                axpy(xi, w, i * out, acc, out);
            }
        }
    }

    /** {@code acc[0..n) += a * w[wOff .. wOff+n)}; the loop the JIT turns into vector code. */
    static void axpy(float a, float[] w, int wOff, float[] acc, int n) {
        for (int o = 0; o < n; o++) {
            acc[o] += a * w[wOff + o];
        }
    }

    private static void activate(Act a, float[] v, int n) {
        switch (a.kind) {
            case RELU -> {
                for (int i = 0; i < n; i++) {
                    v[i] = v[i] > 0f ? v[i] : 0f;
                }
            }
            case LEAKY_RELU -> {
                float s = a.slope;
                for (int i = 0; i < n; i++) {
                    v[i] = v[i] > 0f ? v[i] : v[i] * s;
                }
            }
        }
    }

    /** Collects layers in order; each linear layer's input width must match the previous output. */
    public static final class Builder {
        private final int inChannels;
        private final List<Op> ops = new ArrayList<>();
        private int width;

        private Builder(int inChannels) {
            if (inChannels <= 0) {
                throw new IllegalArgumentException("pointwise net: input channels must be positive, got " + inChannels);
            }
            this.inChannels = inChannels;
            this.width = inChannels;
        }

        /**
         * Adds a 1x1 convolution given in PyTorch layout: {@code weight} holds {@code out x in}
         * values ({@code [out, in, 1, 1]} flattened), {@code bias} holds {@code out} values or is
         * empty for no bias.
         */
        public Builder linear(int out, float[] weight, float[] bias) {
            int in = width;
            if (weight.length != (long) out * in) {
                throw new IllegalArgumentException("pointwise net layer " + ops.size() + ": weight has "
                        + weight.length + " values, expected " + out + "x" + in + " (1x1 kernel)");
            }
            if (bias.length != out && bias.length != 0) {
                throw new IllegalArgumentException("pointwise net layer " + ops.size() + ": bias has "
                        + bias.length + " values, expected " + out);
            }
            float[] wT = new float[in * out];
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    wT[i * out + o] = weight[o * in + i];
                }
            }
            ops.add(new Linear(in, out, wT, bias.length == 0 ? new float[out] : bias.clone()));
            width = out;
            return this;
        }

        public Builder relu() {
            ops.add(new Act(Activation.RELU, 0f));
            return this;
        }

        /** LeakyReLU with PyTorch's semantics: {@code x > 0 ? x : x * slope} in float32. */
        public Builder leakyRelu(float slope) {
            ops.add(new Act(Activation.LEAKY_RELU, slope));
            return this;
        }

        public PointwiseNet build() {
            return new PointwiseNet(inChannels, ops);
        }
    }
}
