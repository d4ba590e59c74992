package dev.tinify.runtime.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Autograd state and the release of intermediates.
 *
 * <p>Closing the handle of an intermediate array never breaks a later backward pass: PyTorch's
 * graph keeps its own references to the tensors it saved. Layers therefore close their
 * intermediates as soon as they are consumed, which keeps the peak memory of a forward pass near
 * a few activations instead of all of them. In-place updates, however, are only safe while
 * autograd is not recording.
 */
public final class Autograd {
    private Autograd() {}

    /** Whether operations are being recorded for a backward pass (a gradient collector is open). */
    public static boolean recording() {
        return JniUtils.isGradMode();
    }

    /** Closes {@code intermediate} unless it is one of {@code keep} (the caller's input or result). */
    public static void release(NDArray intermediate, NDArray... keep) {
        for (NDArray k : keep) {
            if (k == intermediate) {
                return;
            }
        }
        intermediate.close();
    }
}
