package dev.tinify;

/**
 * Thrown by the {@link Tinify} facade when a spec, parameter, weight file or image cannot be used.
 * Unchecked, so Kotlin and Java callers see the same contract; the message names the file or item
 * and what was expected, and an I/O failure is kept as the cause.
 */
public class TinifyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TinifyException(String message) {
        super(message);
    }

    public TinifyException(String message, Throwable cause) {
        super(message, cause);
    }
}
