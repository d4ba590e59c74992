package dev.tinify.runtime.container;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A file written as a stream and published atomically, for writers that produce a file piece by
 * piece (a clip frame by frame): the bytes go to a temporary file beside the target,
 * {@link #publish()} moves it over the target, and {@link #close()} before that deletes it, so the
 * target shows either its old content or the complete new one. The target follows
 * {@link OutputFiles}'s policy, as {@link AtomicFiles} does for files written in one call.
 */
public final class AtomicOutput implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private final OutputStream out;
    private boolean published;

    private AtomicOutput(Path target) throws IOException {
        this.target = OutputFiles.resolve(target);
        Path dir = this.target.getParent();
        if (dir == null) {
            throw new IOException("cannot write " + target + ": it has no parent directory");
        }
        this.temp = Files.createTempFile(dir, "." + this.target.getFileName(), ".part");
        try {
            AtomicFiles.keepUsualPermissions(temp, this.target);
            this.out = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** Starts writing the new content of {@code target}. */
    public static AtomicOutput open(Path target) throws IOException {
        return new AtomicOutput(target);
    }

    /** Where the content goes until it is published. */
    public OutputStream stream() {
        return out;
    }

    /** The file the content will replace. */
    public Path target() {
        return target;
    }

    /** Closes the stream and moves the content into place. */
    public void publish() throws IOException {
        out.close();
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // Same directory, so this only happens on unusual file systems: a plain replace.
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        published = true;
    }

    /** Discards the content unless it was published. */
    @Override
    public void close() throws IOException {
        if (!published) {
            try {
                out.close();
            } finally {
                Files.deleteIfExists(temp);
            }
        }
    }
}
