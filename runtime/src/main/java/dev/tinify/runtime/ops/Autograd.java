package dev.tinify.runtime.ops;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Autograd state, for code that may update intermediates in place.
 *
 * <p>Closing the handle of an intermediate array never breaks a later backward pass: PyTorch's
 * graph keeps its own references to the tensors it saved. Layers therefore close intermediates
 * as soon as they are consumed, which keeps the peak memory of a forward pass near a few
 * activations. In-place updates, however, are only safe while autograd is not recording, since
 * they could change a tensor saved for backward.
 */
public final class Autograd {
    private Autograd() {}

    /** Whether operations are being recorded for a backward pass (a gradient collector is open). */
    public static boolean recording() {
        return JniUtils.isGradMode();
    }
}
