package dev.tinify.runtime.ops;

import dev.tinify.runtime.nn.Module;

/**
 * A module whose parameter gradients need a fix-up after {@code backward()} and before the
 * optimizer step, because the rule cannot be expressed in one autograd pass (CompressAI's
 * {@link LowerBound} on leaf parameters, as in GDN). Training loops call {@link #applyAll} on the
 * model after each backward pass.
 */
public interface GradientCorrection {
    /** Rewrites the gradients of this module's own parameters in place. */
    void correctGradients();

    /** Calls {@link #correctGradients()} on every module of the tree that implements this interface. */
    static void applyAll(Module root) {
        if (root instanceof GradientCorrection g) {
            g.correctGradients();
        }
        root.children().values().forEach(GradientCorrection::applyAll);
    }
}
