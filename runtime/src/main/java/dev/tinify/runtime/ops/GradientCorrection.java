package dev.tinify.runtime.ops;

/**
 * A module whose parameter gradients need a fix-up after {@code backward()} and before the
 * optimizer step, because the rule cannot be expressed in one autograd pass (CompressAI's
 * {@link LowerBound} on leaf parameters, as in GDN). Training loops call
 * {@link #correctGradients()} on every module of the tree that implements this interface.
 */
public interface GradientCorrection {
    /** Rewrites the gradients of this module's own parameters in place. */
    void correctGradients();
}
