package dev.tinify.runtime.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the reader: mutated, truncated and extended valid files (images and point
 * clouds) must each end in a parsed container or a {@link TinifyFormatException}, never another exception, and parsing must
 * never allocate much more than the file's own size.
 */
class TfyContainerFuzzTest {
    private static final int CASES = 20_000;

    @Test
    void mutatedFilesParseOrFailCleanly() throws Exception {
        fuzz(1L, 3_000); // warm-up: class loading and formatter set-up are not the parser's doing
        long worstExcess = fuzz(20261122L, CASES);
        // Beyond copying the file's own content, parsing allocates only small fixed-size things
        // (the exception, its message, a few objects per field).
        assertTrue(worstExcess < 32 * 1024, "parsing allocated " + worstExcess + " bytes beyond 8x the file size");
    }

    /** Runs {@code cases} seeded mutations; returns the largest allocation beyond 8x a file's size. */
    private static long fuzz(long seed, int cases) throws TinifyFormatException {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        Random r = new Random(seed);
        byte[][] seeds = new byte[16][];
        for (int i = 0; i < seeds.length; i++) {
            // Images and point clouds: every kind the reader knows.
            seeds[i] = i % 4 == 3 ? PointCloudContainerTest.random(r).toBytes() : TfyContainerTest.random(r).toBytes();
        }
        int parsed = 0;
        int rejected = 0;
        long worstExcess = 0;
        for (int i = 0; i < cases; i++) {
            byte[] f = mutate(seeds[r.nextInt(seeds.length)], r);
            // Half the cases get a valid checksum so the field checks behind it are exercised.
            if (f.length >= 9 && r.nextBoolean()) {
                TfyContainerTest.withCrc(f);
            }
            long before = mx.getThreadAllocatedBytes(thread);
            TfyFile c = null;
            try {
                c = TfyReader.parseAny(f);
                parsed++;
            } catch (TinifyFormatException e) {
                rejected++;
                assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
            } catch (RuntimeException | Error e) {
                throw new AssertionError("case " + i + " (" + f.length + " bytes) threw " + e, e);
            }
            worstExcess = Math.max(worstExcess, mx.getThreadAllocatedBytes(thread) - before - 8L * f.length);
            if (c != null) {
                assertEquals(c, TfyReader.parseAny(c.toBytes()));
            }
        }
        assertEquals(cases, parsed + rejected);
        assertTrue(rejected > cases / 2, "most mutations must be rejected, got " + rejected + " of " + cases);
        assertTrue(parsed > 0, "some mutations (string bytes under a fixed checksum) must still parse");
        return worstExcess;
    }

    @Test
    void smallFilesNeverAllocateMuch() {
        // The first pass loads classes and initialises formatting; the second, identical pass
        // measures what parsing itself allocates.
        worstAllocationOnRandomSmallFiles();
        long worst = worstAllocationOnRandomSmallFiles();
        assertTrue(worst < 8 * 1024, "a 100-byte file made the parser allocate " + worst + " bytes");
    }

    private static long worstAllocationOnRandomSmallFiles() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        Random r = new Random(7);
        long worst = 0;
        for (int i = 0; i < 5_000; i++) {
            byte[] f = new byte[100];
            r.nextBytes(f);
            System.arraycopy(TfyWriter.MAGIC, 0, f, 0, 4);
            f[4] = 1;
            // A run of 0xff bytes makes every varint it lands on huge.
            int at = 5 + r.nextInt(80);
            Arrays.fill(f, at, at + 1 + r.nextInt(15), (byte) 0xff);
            TfyContainerTest.withCrc(f);
            long before = mx.getThreadAllocatedBytes(thread);
            try {
                TfyContainer.parse(f);
            } catch (TinifyFormatException e) {
                // expected for nearly all
            }
            worst = Math.max(worst, mx.getThreadAllocatedBytes(thread) - before);
        }
        return worst;
    }

    private static byte[] mutate(byte[] seed, Random r) {
        byte[] f = seed.clone();
        switch (r.nextInt(6)) {
            case 0 -> {
                int flips = 1 + r.nextInt(4);
                for (int k = 0; k < flips; k++) {
                    f[r.nextInt(f.length)] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> f[r.nextInt(f.length)] = (byte) r.nextInt(256);
            case 2 -> f = Arrays.copyOf(f, r.nextInt(f.length));
            case 3 -> {
                byte[] g = Arrays.copyOf(f, f.length + 1 + r.nextInt(64));
                for (int k = f.length; k < g.length; k++) {
                    g[k] = (byte) r.nextInt(256);
                }
                f = g;
            }
            case 4 -> {
                // overwrite a run with 0xff or 0x80 (huge or endless varints)
                int at = r.nextInt(f.length);
                Arrays.fill(f, at, Math.min(f.length, at + 1 + r.nextInt(8)), (byte) (r.nextBoolean() ? 0xff : 0x80));
            }
            default -> {
                // delete a slice from the middle
                int a = r.nextInt(f.length);
                int b = a + r.nextInt(f.length - a + 1);
                byte[] g = new byte[f.length - (b - a)];
                System.arraycopy(f, 0, g, 0, a);
                System.arraycopy(f, b, g, a, f.length - b);
                f = g;
            }
        }
        return f;
    }
}
