package dev.tinify.runtime.nn;

import ai.djl.ndarray.NDArray;

/** A module with one input and one output tensor: convolutions, GDN, activations, sequences. */
public interface Layer {
    NDArray forward(NDArray x);
}
