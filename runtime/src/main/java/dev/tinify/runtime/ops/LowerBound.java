package dev.tinify.runtime.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.nn.Layer;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.nn.Param;

/**
 * CompressAI's {@code LowerBound}: {@code max(x, bound)} with buffer {@code bound} (shape [1]).
 *
 * <p>CompressAI's backward lets the gradient through where {@code x >= bound} or where the
 * incoming gradient is negative (it would push {@code x} up towards the bound). That rule
 * depends on the sign of the incoming gradient, so no single autograd op has it. While autograd
 * records, {@link #forward} therefore returns {@code max(x, bound)} with an identity gradient,
 * which is exact when the incoming gradient is negative wherever {@code x < bound} (the
 * likelihood bound under a rate loss). For a leaf parameter, {@link #maskGradient} applies the
 * exact rule after {@code backward()}; for an intermediate whose incoming gradient can have either
 * sign (the Gaussian scales), {@link #forwardExact} applies it through a {@link GradientCut}.
 */
public final class LowerBound extends Module implements Layer {
    private final Param bound;

    public LowerBound(NDManager manager, double bound) {
        this.bound = buffer("bound", manager.create(new float[] {(float) bound}, new Shape(1)));
    }

    /** The bound as stored (float32, shape [1]). */
    public NDArray bound() {
        return bound.value();
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray b = bound.value();
        if (!Autograd.recording()) {
            return x.maximum(b);
        }
        // Value max(x, b), gradient 1: x + stopGradient(max(x, b) - x).
        try (NDArray m = x.maximum(b);
                NDArray d = m.sub(x);
                NDArray s = d.stopGradient()) {
            return x.add(s);
        }
    }

    /**
     * As {@link #forward}, but with CompressAI's exact gradient rule when a {@link GradientCut} is
     * open on this thread (training); otherwise the identity gradient of {@link #forward}.
     */
    public NDArray forwardExact(NDArray x) {
        GradientCut cut = Autograd.recording() ? GradientCut.current() : null;
        return forward(cut == null ? x : cut.cut(x, bound.value()));
    }

    /**
     * Applies CompressAI's gradient rule to the gradient of a leaf parameter that reached the loss
     * only through {@link #forward}: keeps it where {@code x >= bound} or where it is negative,
     * zeroes it elsewhere. Does nothing if the parameter has no gradient yet.
     */
    public void maskGradient(NDArray x) {
        if (!x.hasGradient()) {
            return;
        }
        try (NDArray g = x.getGradient(); NDArray pass = passing(x, g, bound.value())) {
            g.muli(pass);
        }
    }

    /**
     * CompressAI's rule as a 0/1 mask of {@code g}'s type: 1 where {@code x >= bound} or where the
     * gradient {@code g} is negative (it pushes {@code x} up towards the bound).
     */
    static NDArray passing(NDArray x, NDArray g, NDArray bound) {
        try (NDArray above = x.gte(bound);
                NDArray negative = g.lt(0);
                NDArray pass = above.logicalOr(negative)) {
            return pass.toType(g.getDataType(), false);
        }
    }
}
