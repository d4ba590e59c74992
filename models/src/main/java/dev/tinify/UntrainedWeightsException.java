package dev.tinify;

/**
 * A model has no trained weights (no weights file was given and none is shipped for its zoo
 * entry): its bitstreams decode exactly but its pictures are not useful, so it is refused unless
 * the caller asks for it ({@link ImageCompressor.Builder#allowUntrained()}, {@code --allow-untrained}).
 */
public final class UntrainedWeightsException extends TinifyException {
    private static final long serialVersionUID = 1L;

    public UntrainedWeightsException(String message) {
        super(message);
    }
}
