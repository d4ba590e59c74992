package dev.tinify.runtime.container;

import dev.tinify.TinifyException;

/**
 * A file is not a valid {@code .tfy} container, or not one the loaded model can decode (encoded
 * with other weights, latents that do not fit); the message says what is wrong and where.
 */
public class TinifyFormatException extends TinifyException {
    private static final long serialVersionUID = 1L;

    public TinifyFormatException(String message) {
        super(message);
    }
}
