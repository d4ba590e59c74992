package dev.tinify.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the checkpoint reader over the files of {@code fixtures/checkpoints}: each
 * mutated, truncated or extended file ends in a state dict or an {@link IOException} whose one-line
 * message names the file, never another exception or a hang, and reading never allocates much more
 * than the file's own size. Half the mutations land in the pickle (the first bytes of a legacy
 * file, or a zip's {@code data.pkl} with its CRC-32 fixed up) so that the interpreter and the
 * storage checks behind the checksums are exercised, not only the zip's integrity checks.
 */
class PyTorchCheckpointFuzzTest {
    /** Cases in the build; {@code -Dtinify.fuzz.cases=1000000} for a long run (the hang guard grows with it). */
    private static final int CASES = Integer.getInteger("tinify.fuzz.cases", 10_000);
    /** The longest one case may take, however loaded the machine: a parse of a file under a megabyte. */
    private static final Duration CASE_LIMIT = Duration.ofSeconds(10);
    private static final String SOURCE = "fuzzed.pth.tar";
    private static final String OPCODES = "(.0)tRbQhjqr}]usaeKMJXNG\u0080\u0085\u0086\u0087\u0088\u0089\u008a\u008bciV\u0081\u0093\u0094";

    /** A seed file and, for a zip, where its pickle lies. */
    private record Seed(byte[] data, int pickleStart, int pickleLength) {}

    @Test
    void mutatedCheckpointsLoadOrFailCleanly() throws Exception {
        List<Seed> seeds = seeds();
        fuzz(seeds, 1L, 300); // warm-up: class loading and message formatting are not the reader's doing
        // Guards against a hang only: 10,000 cases take 20 s at a load average of 13 on 2 cores (74 s
        // at 32), one case a few milliseconds; fuzz() also fails any single case over CASE_LIMIT.
        long worstExcess = assertTimeoutPreemptively(Duration.ofMinutes(10).multipliedBy(Math.max(1, CASES / 10_000)),
                () -> fuzz(seeds, Long.getLong("tinify.fuzz.seed", 20261207L), CASES));
        // Beyond the file's bytes (a copy of the pickle, the tensors), reading allocates the values
        // the pickle builds: a few small objects per opcode.
        assertTrue(worstExcess < 256 * 1024, "reading allocated " + worstExcess + " bytes beyond 16x the file size");
    }

    private static long fuzz(List<Seed> seeds, long seed, int cases) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        Random r = new Random(seed);
        int loaded = 0;
        int refused = 0;
        long worstExcess = 0;
        for (int i = 0; i < cases; i++) {
            Seed s = seeds.get(r.nextInt(seeds.size()));
            byte[] f = mutate(s, r);
            long before = mx.getThreadAllocatedBytes(thread);
            long start = System.nanoTime();
            try {
                PyTorchCheckpoint.parse(f, SOURCE);
                loaded++;
            } catch (IOException e) {
                refused++;
                String m = e.getMessage();
                assertTrue(m != null && m.startsWith(SOURCE + ": ") && !m.contains("\n"), "case " + i + ": " + m);
            } catch (RuntimeException | Error e) {
                throw new AssertionError("case " + i + " (" + f.length + " bytes) threw " + e, e);
            }
            worstExcess = Math.max(worstExcess, mx.getThreadAllocatedBytes(thread) - before - 16L * f.length);
            long nanos = System.nanoTime() - start;
            assertTrue(nanos < CASE_LIMIT.toNanos(), "case " + i + " (" + f.length + " bytes) took " + nanos / 1_000_000 + " ms");
        }
        assertEquals(cases, loaded + refused);
        assertTrue(refused > cases / 4, "most mutations must be refused, got " + refused + " of " + cases);
        assertTrue(loaded > 0, "some mutations (tensor values) must still load");
        return worstExcess;
    }

    private static List<Seed> seeds() throws IOException {
        List<Seed> out = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(PyTorchCheckpointTest.CHECKPOINTS)) {
            files = s.filter(p -> p.toString().endsWith(".pth.tar")).sorted().toList();
        }
        for (Path p : files) {
            byte[] data = Files.readAllBytes(p);
            if (StoredZip.sniff(data)) {
                // torch.save writes data.pkl first: its local header opens the file.
                ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
                int nameLength = b.getShort(26);
                String name = new String(data, 30, nameLength, java.nio.charset.StandardCharsets.UTF_8);
                assertTrue(name.endsWith("/data.pkl"), p.toString());
                // Sizes are in the central directory (the local header defers them to a data descriptor).
                out.add(new Seed(data, 30 + nameLength + b.getShort(28), StoredZip.read(data).entries().get(name).remaining()));
            } else {
                out.add(new Seed(data, 0, Math.min(data.length, 16 * 1024)));
            }
        }
        assertEquals(13, out.size());
        return out;
    }

    private static byte[] mutate(Seed s, Random r) {
        byte[] f = s.data().clone();
        boolean inPickle = r.nextBoolean();
        int from = inPickle ? s.pickleStart() : 0;
        int span = inPickle ? s.pickleLength() : f.length;
        switch (r.nextInt(6)) {
            case 0 -> { // a few random bytes
                for (int k = 1 + r.nextInt(4); k > 0; k--) {
                    f[from + r.nextInt(span)] = (byte) r.nextInt(256);
                }
            }
            case 1 -> f[from + r.nextInt(span)] ^= (byte) (1 << r.nextInt(8));
            case 2 -> { // an extreme 4- or 8-byte integer (lengths, counts, offsets)
                int at = from + r.nextInt(Math.max(1, span - 8));
                long v = new long[] {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, 1L << 40, 255, 65535}[r.nextInt(8)];
                ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
                if (r.nextBoolean()) {
                    b.putInt(at, (int) v);
                } else if (at + 8 <= f.length) {
                    b.putLong(at, v);
                }
            }
            case 3 -> { // one opcode-sized byte replaced by a pickle opcode
                f[from + r.nextInt(span)] = (byte) OPCODES.charAt(r.nextInt(OPCODES.length()));
            }
            case 4 -> { // truncated
                return Arrays.copyOf(f, r.nextInt(f.length));
            }
            default -> { // a block copied over another place
                int len = 1 + r.nextInt(64);
                int src = from + r.nextInt(Math.max(1, span - len));
                int dst = from + r.nextInt(Math.max(1, span - len));
                System.arraycopy(s.data(), src, f, dst, Math.min(len, f.length - Math.max(src, dst)));
            }
        }
        if (inPickle && StoredZip.sniff(s.data())) {
            fixCrc(f, s);
        }
        return f;
    }

    /** Writes the CRC-32 of the (mutated) pickle into its local header and its central directory entry. */
    private static void fixCrc(byte[] f, Seed s) {
        CRC32 c = new CRC32();
        c.update(f, s.pickleStart(), s.pickleLength());
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        int original = crcOf(s);
        for (int i = 0; i + 20 <= f.length; i++) {
            int sig = b.getInt(i);
            if ((sig == 0x04034b50 && b.getInt(i + 14) == original) || (sig == 0x02014b50 && b.getInt(i + 16) == original)) {
                b.putInt(i + (sig == 0x04034b50 ? 14 : 16), (int) c.getValue());
            }
        }
    }

    private static int crcOf(Seed s) {
        CRC32 c = new CRC32();
        c.update(s.data(), s.pickleStart(), s.pickleLength());
        return (int) c.getValue();
    }
}
