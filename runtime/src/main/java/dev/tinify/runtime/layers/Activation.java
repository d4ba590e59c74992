package dev.tinify.runtime.layers;

import dev.tinify.runtime.ops.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;

/**
 * Parameter-free element-wise activations: ReLU, LeakyReLU (PyTorch's default slope 0.01),
 * GELU (exact, erf-based, as {@code nn.GELU()}), sigmoid, tanh, softplus (as {@code nn.Softplus()}:
 * {@code log(1 + exp(x))}, and {@code x} itself above 20) and the identity ({@code nn.Identity},
 * a copy, so that callers may close what they get). They keep the channel count and own no
 * state-dict keys.
 */
public final class Activation extends AnyChannelsLayer {
    /** The function applied. */
    public enum Kind { RELU, LEAKY_RELU, GELU, SIGMOID, TANH, SOFTPLUS, IDENTITY }

    /** PyTorch's default negative slope of {@code nn.LeakyReLU}. */
    public static final float DEFAULT_SLOPE = 0.01f;

    private final Kind kind;
    private final float slope;

    private Activation(Kind kind, float slope) {
        this.kind = kind;
        this.slope = slope;
    }

    public static Activation relu() {
        return new Activation(Kind.RELU, 0);
    }

    public static Activation leakyRelu() {
        return leakyRelu(DEFAULT_SLOPE);
    }

    public static Activation leakyRelu(float slope) {
        return new Activation(Kind.LEAKY_RELU, slope);
    }

    public static Activation gelu() {
        return new Activation(Kind.GELU, 0);
    }

    public static Activation sigmoid() {
        return new Activation(Kind.SIGMOID, 0);
    }

    public static Activation softplus() {
        return new Activation(Kind.SOFTPLUS, 0);
    }

    public static Activation tanh() {
        return new Activation(Kind.TANH, 0);
    }

    public static Activation identity() {
        return new Activation(Kind.IDENTITY, 0);
    }

    public Kind kind() {
        return kind;
    }

    /** LeakyReLU's negative slope; 0 for the other kinds. */
    public float slope() {
        return slope;
    }

    @Override
    public NDArray forward(NDArray x) {
        return switch (kind) {
            case RELU -> ai.djl.nn.Activation.relu(x);
            case LEAKY_RELU -> ai.djl.nn.Activation.leakyRelu(x, slope);
            case GELU -> ai.djl.nn.Activation.gelu(x);
            case SIGMOID -> ai.djl.nn.Activation.sigmoid(x);
            case TANH -> x.tanh();
            case SOFTPLUS -> softplus(x);
            case IDENTITY -> x.duplicate();
        };
    }

    /** PyTorch's softplus with beta 1 and threshold 20: linear above the threshold, where exp would overflow. */
    private static NDArray softplus(NDArray x) {
        try (NDArray above = x.gt(20f); NDArray smooth = Scalars.minimum(x, 20f).exp().add(1f).log()) {
            return NDArrays.where(above, x, smooth);
        }
    }

    @Override
    public String describe() {
        return kind == Kind.LEAKY_RELU ? "LeakyReLU(" + slope + ")" : kind.name();
    }
}
