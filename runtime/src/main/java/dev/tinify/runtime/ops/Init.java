package dev.tinify.runtime.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * PyTorch-like default initialization, so that models can be trained from scratch.
 *
 * <p>Random values come from the engine's generator: call
 * {@code ai.djl.engine.Engine.getInstance().setRandomSeed(seed)} before building a model to make its
 * initial parameters reproducible (the draws then depend only on the seed and the construction
 * order).
 */
public final class Init {
    private Init() {}

    /**
     * PyTorch's default for convolution weights and biases (kaiming-uniform with a = sqrt(5)):
     * U(-1/sqrt(fanIn), 1/sqrt(fanIn)), where {@code fanIn} is the weight's dimension 1 times its
     * kernel area.
     */
    public static NDArray fanInUniform(NDManager manager, long fanIn, long... shape) {
        float bound = (float) (1.0 / Math.sqrt(fanIn));
        return manager.randomUniform(-bound, bound, new Shape(shape));
    }
}
