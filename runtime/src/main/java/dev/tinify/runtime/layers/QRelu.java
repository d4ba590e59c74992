package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import dev.tinify.runtime.ops.Autograd;

/**
 * CompressAI's {@code QReLU} (Ballé, Johnston and Minnen, ICLR 2019, integer networks): the
 * forward pass clamps to the range of a {@code bitDepth}-bit integer, {@code [0, 2^bitDepth - 1]};
 * the backward pass does not cut the gradient outside that range but scales it by {@code
 * exp(-alpha^beta |2x/max - 1|^beta)} (alpha = 0.9943258522851727), a smooth stand-in for the
 * clamp's step. Inside the range the gradient passes unchanged. No state-dict keys.
 *
 * <p>The rule is an element-wise factor {@code g(x)} that does not depend on the incoming
 * gradient, so it needs no custom backward: while autograd records, the output is {@code
 * stopGradient(clamp(x)) + (x * stopGradient(g) - stopGradient(x * g))}, whose value is the clamp
 * exactly (the bracket is zero bit for bit) and whose gradient is {@code g}.
 */
public final class QRelu extends AnyChannelsLayer {
    /** CompressAI's precomputed constant of the backward rule. */
    public static final double ALPHA = 0.9943258522851727;

    private final int bitDepth;
    private final double beta;
    private final float max;

    public QRelu(int bitDepth, double beta) {
        if (bitDepth < 1 || bitDepth > 24 || !(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("QReLU needs a bit depth in 1..24 and a positive finite beta, got bit_depth="
                    + bitDepth + " beta=" + beta);
        }
        this.bitDepth = bitDepth;
        this.beta = beta;
        this.max = (float) ((1 << bitDepth) - 1);
    }

    public int bitDepth() {
        return bitDepth;
    }

    public double beta() {
        return beta;
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray clamped = x.clip(0f, max);
        if (!Autograd.recording()) {
            return clamped;
        }
        try (NDArray value = clamped.stopGradient();
                NDArray factor = gradientFactor(x);
                NDArray through = x.mul(factor);
                NDArray fixed = through.stopGradient();
                NDArray zero = through.sub(fixed)) {
            clamped.close();
            return value.add(zero);
        }
    }

    /** The backward factor of each element: 1 inside [0, max], {@code exp(-alpha^beta |2x/max - 1|^beta)} outside. */
    NDArray gradientFactor(NDArray x) {
        try (NDArray v = x.stopGradient();
                NDArray scaled = v.mul(2f).div(max).sub(1f);
                NDArray power = scaled.abs().pow((float) beta);
                NDArray outside = power.mul((float) -Math.pow(ALPHA, beta)).exp();
                NDArray below = v.lt(0f);
                NDArray above = v.gt(max);
                NDArray out = below.logicalOr(above);
                NDArray ones = v.onesLike()) {
            return NDArrays.where(out, outside, ones);
        }
    }

    @Override
    public String describe() {
        return "QReLU(bit_depth=" + bitDepth + ", beta=" + beta + ")";
    }
}
