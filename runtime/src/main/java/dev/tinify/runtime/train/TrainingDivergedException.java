package dev.tinify.runtime.train;

import dev.tinify.TinifyException;

/**
 * Training stopped because the loss or the gradients are no longer finite; the message names the
 * step, what went non-finite and the last checkpoint to resume from (with a lower learning rate).
 */
public final class TrainingDivergedException extends TinifyException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
