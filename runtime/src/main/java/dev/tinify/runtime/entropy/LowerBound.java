package dev.tinify.runtime.entropy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.nn.Param;

/** CompressAI's {@code LowerBound} module: {@code max(x, bound)} with the bound as buffer {@code bound}. */
final class LowerBound extends Module {
    private final Param bound;

    LowerBound(NDManager manager, float bound) {
        this.bound = buffer("bound", manager.create(new float[] {bound}));
    }

    /** {@code max(x, bound)}; no gradient below the bound (CompressAI's scripted behaviour). */
    NDArray apply(NDArray x) {
        return x.maximum(bound.value());
    }

    /**
     * {@code max(x, bound)} with the identity gradient. Equals CompressAI's LowerBound gradient
     * whenever the incoming gradient is negative, as it always is for a rate term on likelihoods.
     */
    NDArray applyWithPassThrough(NDArray x) {
        return x.maximum(bound.value()).add(x.sub(x.stopGradient()));
    }
}
