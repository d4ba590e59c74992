package dev.tinify.runtime.codecs.context;

import ai.djl.ndarray.NDArray;
import dev.tinify.runtime.layers.Activation;
import dev.tinify.runtime.layers.Conv2d;
import dev.tinify.runtime.layers.LayerModule;
import dev.tinify.runtime.layers.MaskedConv2d;
import dev.tinify.runtime.layers.Sequential;
import java.util.ArrayList;
import java.util.List;

/**
 * A chain of 1x1 convolutions and pointwise activations evaluated on one position's channel
 * vector in plain Java. Autoregressive coding runs such a network (CompressAI's
 * {@code entropy_parameters}) once per latent position; doing that through native tensor calls
 * costs far more in call overhead than in arithmetic.
 *
 * <p>Weights are stored transposed ({@code [in][out]}) so that each layer is a sum of
 * {@code x[i] * w[i][:]} over contiguous rows ({@link Gemv}). Inputs that are exactly zero
 * (frequent after a ReLU) are skipped: their products are zero.
 */
public final class PointwiseNet {
    private sealed interface Op permits Linear, Act {}

    private record Linear(int in, int out, float[][] weightT, float[] bias) implements Op {}

    /** ReLU, or LeakyReLU with {@code slope}. */
    private record Act(boolean leaky, float slope) implements Op {}

    private final int inChannels;
    private final int outChannels;
    private final int maxWidth;
    private final List<Op> ops;
    private final Linear first;

    private PointwiseNet(int inChannels, List<Op> ops) {
        this.inChannels = inChannels;
        this.ops = List.copyOf(ops);
        if (ops.isEmpty() || !(ops.get(0) instanceof Linear l0)) {
            throw new IllegalArgumentException("pointwise net must start with a 1x1 convolution");
        }
        this.first = l0;
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

    /**
     * Copies a compiled network (a {@link Conv2d} 1x1 or a {@link Sequential} of 1x1 convolutions,
     * ReLUs and LeakyReLUs) out of its arrays.
     *
     * @throws IllegalArgumentException naming the first layer that is not pointwise
     */
    public static PointwiseNet of(LayerModule net) {
        List<LayerModule> layers = new ArrayList<>();
        flatten(net, layers);
        Builder b = null;
        for (int i = 0; i < layers.size(); i++) {
            LayerModule l = layers.get(i);
            if (l instanceof Conv2d c && !(c instanceof MaskedConv2d) && c.kernel() == 1 && c.stride() == 1
                    && c.padding() == 0) {
                if (b == null) {
                    b = builder(c.inChannels());
                }
                NDArray bias = c.bias();
                b.linear(c.outChannels(c.inChannels()), c.weightValues(),
                        bias == null ? new float[0] : bias.toFloatArray());
            } else if (b != null && l instanceof Activation a && a.kind() == Activation.Kind.RELU) {
                b.relu();
            } else if (b != null && l instanceof Activation a && a.kind() == Activation.Kind.LEAKY_RELU) {
                b.leakyRelu(a.slope());
            } else {
                throw new IllegalArgumentException("entropy_parameters layer " + i + " (" + l.describe() + ") is not a"
                        + " 1x1 convolution or a ReLU/LeakyReLU after one; per-position coding needs a pointwise network");
            }
        }
        if (b == null) {
            throw new IllegalArgumentException("entropy_parameters (" + net.describe() + ") has no 1x1 convolution");
        }
        return b.build();
    }

    private static void flatten(LayerModule l, List<LayerModule> out) {
        if (l instanceof Sequential s) {
            for (LayerModule c : s.layers()) {
                flatten(c, out);
            }
        } else {
            out.add(l);
        }
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
    public Scratch newScratch() {
        return new Scratch(maxWidth);
    }

    /** Buffers of one evaluation: two activations and the nonzero inputs of the current layer. */
    public static final class Scratch {
        final float[][] act;
        final float[] nonzero;
        final int[] rows;

        private Scratch(int width) {
            act = new float[][] {new float[width], new float[width]};
            nonzero = new float[width];
            rows = new int[width];
        }
    }

    /**
     * Evaluates the network on {@code in[inOff .. inOff+inChannels)} and writes
     * {@code outChannels} values to {@code out[outOff ..]}.
     */
    public void apply(float[] in, int inOff, float[] out, int outOff, Scratch scratch) {
        float[] acc = scratch.act[0];
        System.arraycopy(first.bias, 0, acc, 0, first.out);
        addFirstLayerInputs(in, inOff, 0, inChannels, acc, scratch);
        finish(acc, out, outOff, scratch);
    }

    /** Rows of the first layer's weights, one array of its output width per input channel. */
    float[][] firstLayerRows() {
        return first.weightT;
    }

    float[] firstLayerBias() {
        return first.bias;
    }

    /** Output width of the first layer (the length of its accumulators). */
    int firstLayerWidth() {
        return first.out;
    }

    /**
     * Adds the first layer's terms for input channels {@code [from, to)}, whose values are
     * {@code x[xOff ..]}, to the accumulator {@code acc}. The first layer is linear, so its
     * inputs can be summed in parts computed at different times.
     */
    void addFirstLayerInputs(float[] x, int xOff, int from, int to, float[] acc, Scratch scratch) {
        int count = 0;
        for (int i = from; i < to; i++) {
            float xi = x[xOff + i - from];
            if (xi != 0f) {
                scratch.nonzero[count] = xi;
                scratch.rows[count++] = i;
            }
        }
        Gemv.accumulate(first.weightT, scratch.rows, scratch.nonzero, count, acc, first.out);
    }

    /** Runs the layers after the first on its complete pre-activation {@code firstAcc}. */
    void finish(float[] firstAcc, float[] out, int outOff, Scratch scratch) {
        float[] cur = scratch.act[0];
        if (cur != firstAcc) {
            System.arraycopy(firstAcc, 0, cur, 0, first.out);
        }
        int width = first.out;
        int flip = 1;
        for (int i = 1; i < ops.size(); i++) {
            if (ops.get(i) instanceof Linear l) {
                float[] dst = scratch.act[flip];
                flip ^= 1;
                System.arraycopy(l.bias, 0, dst, 0, l.out);
                int count = 0;
                for (int j = 0; j < l.in; j++) {
                    float xj = cur[j];
                    if (xj != 0f) {
                        scratch.nonzero[count] = xj;
                        scratch.rows[count++] = j;
                    }
                }
                Gemv.accumulate(l.weightT, scratch.rows, scratch.nonzero, count, dst, l.out);
                cur = dst;
                width = l.out;
            } else {
                activate((Act) ops.get(i), cur, width);
            }
        }
        System.arraycopy(cur, 0, out, outOff, width);
    }

    private static void activate(Act a, float[] v, int n) {
        if (a.leaky) {
            float s = a.slope;
            for (int i = 0; i < n; i++) {
                v[i] = v[i] > 0f ? v[i] : v[i] * s;
            }
        } else {
            for (int i = 0; i < n; i++) {
                v[i] = v[i] > 0f ? v[i] : 0f;
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
            ops.add(new Linear(in, out, Gemv.rows(wT, in, out), bias.length == 0 ? new float[out] : bias.clone()));
            width = out;
            return this;
        }

        public Builder relu() {
            ops.add(new Act(false, 0f));
            return this;
        }

        /** LeakyReLU with PyTorch's semantics: {@code x > 0 ? x : x * slope} in float32. */
        public Builder leakyRelu(float slope) {
            ops.add(new Act(true, slope));
            return this;
        }

        public PointwiseNet build() {
            return new PointwiseNet(inChannels, ops);
        }
    }
}
