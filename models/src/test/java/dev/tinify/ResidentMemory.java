package dev.tinify;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's resident memory, the measure of the tests that loops keep native memory flat. */
public final class ResidentMemory {
    private ResidentMemory() {}

    /**
     * Resident set size (VmRSS of /proc/self/status, KiB) after a full collection, so that garbage
     * on the Java heap and unreachable direct buffers are not mistaken for native growth.
     */
    public static long kib() throws IOException {
        System.gc();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        throw new IOException("/proc/self/status has no VmRSS line");
    }
}
