package dev.tinify;

/**
 * The one exception root of Tinify: a spec, parameter, weight file, image or {@code .tfy} file
 * cannot be used. Unchecked, so Kotlin and Java callers see the same contract; the message names
 * the file or item and what was expected, and an I/O failure is kept as the cause. Specific
 * failures are subclasses (a spec error, a state dict that does not fit, a damaged container,
 * untrained weights), so a caller catches this one type or the one it can handle.
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
