package dev.tinify;

/**
 * An intact compressed file that this library cannot decode as it is: it names an architecture
 * that is not bundled (and no spec file was given), a spec hash, coder, metric or entropy
 * parameter method that the rebuilt model does not have. The command line exits with the status
 * of a file that cannot be decoded, as for a damaged file.
 */
public class UndecodableFileException extends TinifyException {
    private static final long serialVersionUID = 1L;

    public UndecodableFileException(String message) {
        super(message);
    }

    public UndecodableFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
