package dev.tinify.runtime.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads an input file whole, after checking what it is: a regular file (a directory, device or
 * FIFO is refused rather than read forever or reported as "Is a directory" without its name) no
 * larger than the reader's limit, checked before any byte is read.
 */
public final class InputFiles {
    private InputFiles() {}

    /**
     * The bytes of {@code file}.
     *
     * @param maxBytes the largest file the caller accepts
     * @param expected what the file should be, for messages ("a .tfy file")
     * @throws IOException naming the file and what was expected
     */
    public static byte[] read(Path file, long maxBytes, String expected) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": is " + (Files.isDirectory(file) ? "a directory" : "not a regular file") + "; expected "
                    + expected);
        }
        long size = Files.size(file);
        if (size > maxBytes) {
            throw new IOException(file + ": " + size + " bytes is larger than the " + maxBytes + " bytes accepted for " + expected);
        }
        return Files.readAllBytes(file);
    }
}
