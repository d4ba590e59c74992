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

    /**
     * Records operations on the calling thread until the returned scope is closed, which restores
     * the previous state. PyTorch's grad mode is per thread; DJL's {@code GradientCollector}
     * admits only one collector in the whole JVM, so work that may run on several threads at once
     * (encoders refining their latents) records with this instead.
     */
    public static Recording record() {
        boolean before = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
        return new Recording(before);
    }

    /** An open {@link #record()} scope. */
    public static final class Recording implements AutoCloseable {
        private final boolean before;

        private Recording(boolean before) {
            this.before = before;
        }

        @Override
        public void close() {
            JniUtils.setGradMode(before);
        }
    }
}
