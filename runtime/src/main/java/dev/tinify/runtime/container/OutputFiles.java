package dev.tinify.runtime.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * What an output path may be. An output never replaces one of the command's inputs (compared as
 * files, so also through symbolic and hard links), a symbolic link is written through to the
 * regular file it names, and directories, device nodes, FIFOs and sockets are refused: writing
 * replaces a file's content, never a special file or the link itself.
 */
public final class OutputFiles {
    private OutputFiles() {}

    /**
     * The file a write to {@code target} must replace: {@code target} itself (absolute), or the
     * file at the end of its symbolic links.
     *
     * @throws IOException naming {@code target} if it is a directory, a special file or a dangling link
     */
    public static Path resolve(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        if (Files.isSymbolicLink(abs)) {
            if (!Files.exists(abs)) {
                throw new IOException("cannot write " + target + ": it is a symbolic link to a missing file");
            }
            abs = abs.toRealPath();
        }
        if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(abs, LinkOption.NOFOLLOW_LINKS)) {
            String what = Files.isDirectory(abs) ? "a directory" : "a special file (device, FIFO or socket)";
            throw new IOException("cannot write " + target + ": it is " + what + ", not a regular file");
        }
        return abs;
    }

    /**
     * Refuses {@code output} if it is the same file as one of {@code inputs} (null entries are
     * skipped), before any work is done.
     *
     * @throws IOException naming both paths
     */
    public static void checkNotInput(Path output, @Nullable Path... inputs) throws IOException {
        for (Path in : inputs) {
            if (in != null && sameFile(output, in)) {
                throw new IOException("refusing to write " + output + ": it is the same file as the input " + in
                        + " (choose another output)");
            }
        }
    }

    /**
     * Refuses two outputs of one command that are the same file (the second would replace the first).
     *
     * @throws IOException naming both paths
     */
    public static void checkDistinct(Path output, @Nullable Path other) throws IOException {
        if (other != null && (sameFile(output, other) || output.toAbsolutePath().normalize().equals(other.toAbsolutePath().normalize()))) {
            throw new IOException("refusing to write " + output + " twice: it is also the output " + other);
        }
    }

    /** Same file by identity (device and inode, following links) when both exist. */
    private static boolean sameFile(Path a, Path b) throws IOException {
        if (!Files.exists(a) || !Files.exists(b)) {
            return false;
        }
        return Files.isSameFile(a, b);
    }
}
