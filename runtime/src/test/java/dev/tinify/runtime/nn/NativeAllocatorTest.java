package dev.tinify.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A fresh JVM without {@code THP_MEM_ALLOC_ENABLE} in its environment calls {@link
 * NativeAllocator#configure}, then makes a 64 MiB array: the process must now hold most of it on
 * huge pages; with the variable set to 0 beforehand, almost none. A child process, because
 * PyTorch reads the variable once, at the first allocation of the process, which in this JVM
 * happened long before.
 */
class NativeAllocatorTest {
    private static final long ARRAY_BYTES = 64L << 20;
    private static final String THP_MODE = "/sys/kernel/mm/transparent_hugepage/enabled";

    @Test
    void largeArraysLandOnHugePagesAfterConfigure() throws IOException, InterruptedException {
        long hugeKib = probe(null);
        assertTrue(hugeKib * 1024 >= ARRAY_BYTES * 3 / 4, "only " + hugeKib + " KiB on huge pages after a 64 MiB array");
    }

    @Test
    void anExplicitZeroInTheEnvironmentWins() throws IOException, InterruptedException {
        // With the kernel's "always" mode every large mapping gets huge pages whatever PyTorch asks.
        assumeTrue(thpMode().contains("[madvise]"), "huge pages are not on request only");
        long hugeKib = probe("0");
        assertTrue(hugeKib * 1024 < ARRAY_BYTES / 4, hugeKib + " KiB on huge pages although THP_MEM_ALLOC_ENABLE=0");
    }

    /** The kernel's transparent-huge-page mode line ({@code always [madvise] never}), or "" without one. */
    private static String thpMode() throws IOException {
        Path thp = Path.of(THP_MODE);
        return Files.isReadable(thp) ? Files.readString(thp) : "";
    }

    /** Runs {@link Probe} with the variable absent ({@code null}) or set to {@code value}; its KiB on huge pages. */
    private static long probe(String value) throws IOException, InterruptedException {
        String mode = thpMode();
        assumeFalse(mode.isEmpty(), "no transparent huge pages on this system");
        assumeFalse(mode.contains("[never]"), "transparent huge pages are switched off");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-cp", System.getProperty("java.class.path"),
                Probe.class.getName());
        if (value == null) {
            pb.environment().remove(NativeAllocator.HUGE_PAGES);
        } else {
            pb.environment().put(NativeAllocator.HUGE_PAGES, value);
        }
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe did not finish");
        assertEquals(0, p.exitValue(), "probe failed: " + out);
        String[] fields = out.split(" ");
        assertEquals("true", fields[0], "configure() reported no variable");
        return Long.parseLong(fields[1]);
    }

    /** The child: configure, make and fill the array, print "configured hugeKiB". */
    public static final class Probe {
        public static void main(String[] args) throws IOException {
            boolean configured = NativeAllocator.configure();
            try (NDManager m = NDManager.newBaseManager(); NDArray a = m.ones(new ai.djl.ndarray.types.Shape(ARRAY_BYTES / 4))) {
                System.out.println(configured + " " + anonHugeKib() + " " + a.getShape());
            }
        }

        private static long anonHugeKib() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup"))) {
                if (line.startsWith("AnonHugePages:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            return 0;
        }
    }
}
