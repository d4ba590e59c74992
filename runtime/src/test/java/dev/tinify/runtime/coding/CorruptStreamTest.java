package dev.tinify.runtime.coding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Damaged streams give symbols or CorruptStreamException: no other exception, no hang. */
class CorruptStreamTest {
    static java.util.List<String> coders() {
        return EntropyCoders.available();
    }

    /** A bound against hangs only; the loop takes well under a second when healthy. */
    @ParameterizedTest
    @MethodSource("coders")
    @Timeout(60)
    void mutatedStreamsDecodeOrFailCleanly(String name) {
        EntropyCoder coder = EntropyCoders.get(name);
        Random rnd = new Random(42);
        int bases = 50;
        CdfTables[] tables = new CdfTables[bases];
        int[][] indexes = new int[bases][];
        byte[][] streams = new byte[bases][];
        for (int b = 0; b < bases; b++) {
            Random gen = new Random(b);
            tables[b] = RandomTables.tables(gen);
            indexes[b] = RandomTables.indexes(gen, tables[b], 1 + gen.nextInt(200));
            streams[b] = coder.encodeWithIndexes(RandomTables.symbols(gen, tables[b], indexes[b]), indexes[b], tables[b]);
        }
        int rejected = 0;
        int cases = 4000;
        for (int c = 0; c < cases; c++) {
            CdfTables t = tables[c % bases];
            int[] idx = indexes[c % bases];
            byte[] bad = mutate(streams[c % bases], rnd);
            try {
                int[] out = rnd.nextBoolean() ? coder.decodeWithIndexes(bad, idx, t) : piecewise(coder, bad, idx, t, rnd);
                assertEquals(idx.length, out.length);
            } catch (CorruptStreamException e) {
                rejected++;
            } catch (RuntimeException e) {
                fail(name + " case " + c + ": " + e, e);
            }
        }
        // Most damage is noticed (rANS checks its final state); the exact share is not the point.
        System.out.println(name + ": " + rejected + " of " + cases + " damaged streams rejected");
    }

    @Test
    void everyTruncatedRansStreamIsRejected() {
        EntropyCoder coder = EntropyCoders.get("ans");
        for (int seed = 0; seed < 40; seed++) {
            Random gen = new Random(seed);
            CdfTables t = RandomTables.tables(gen);
            int[] idx = RandomTables.indexes(gen, t, 50 + gen.nextInt(200));
            byte[] good = coder.encodeWithIndexes(RandomTables.symbols(gen, t, idx), idx, t);
            for (int len = 0; len < good.length; len++) {
                byte[] cut = Arrays.copyOf(good, len);
                assertThrows(CorruptStreamException.class, () -> coder.decodeWithIndexes(cut, idx, t),
                        "seed " + seed + " length " + len);
            }
        }
    }

    @Test
    void trailingBytesAreRejectedByBothCoders() {
        for (String name : coders()) {
            EntropyCoder coder = EntropyCoders.get(name);
            Random gen = new Random(5);
            CdfTables t = RandomTables.tables(gen);
            int[] idx = RandomTables.indexes(gen, t, 100);
            byte[] good = coder.encodeWithIndexes(RandomTables.symbols(gen, t, idx), idx, t);
            byte[] longer = Arrays.copyOf(good, good.length + 4);
            longer[longer.length - 1] = 1;
            assertThrows(CorruptStreamException.class, () -> coder.decodeWithIndexes(longer, idx, t), name);
        }
    }

    private static int[] piecewise(EntropyCoder coder, byte[] data, int[] idx, CdfTables t, Random rnd) {
        EntropyCoder.Decoder dec = coder.newDecoder(data);
        int[] out = new int[idx.length];
        for (int at = 0; at < idx.length; ) {
            int len = Math.min(idx.length - at, 1 + rnd.nextInt(50));
            System.arraycopy(dec.decodeStream(Arrays.copyOfRange(idx, at, at + len), t), 0, out, at, len);
            at += len;
        }
        return out;
    }

    private static byte[] mutate(byte[] good, Random rnd) {
        byte[] b = good.clone();
        switch (rnd.nextInt(6)) {
            case 0 -> { // flip a few bits
                for (int k = 1 + rnd.nextInt(4); k > 0 && b.length > 0; k--) {
                    b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 1 -> b = Arrays.copyOf(b, rnd.nextInt(b.length + 1)); // truncate
            case 2 -> { // append garbage
                b = Arrays.copyOf(b, b.length + 1 + rnd.nextInt(16));
                for (int i = good.length; i < b.length; i++) {
                    b[i] = (byte) rnd.nextInt();
                }
            }
            case 3 -> rnd.nextBytes(b); // replace by noise of the same length
            case 4 -> { // all ones or all zeros
                Arrays.fill(b, rnd.nextBoolean() ? (byte) -1 : 0);
            }
            default -> { // swap two 4-byte blocks
                if (b.length >= 8) {
                    int i = rnd.nextInt(b.length - 3);
                    int j = rnd.nextInt(b.length - 3);
                    for (int k = 0; k < 4; k++) {
                        byte tmp = b[i + k];
                        b[i + k] = b[j + k];
                        b[j + k] = tmp;
                    }
                }
            }
        }
        return b;
    }
}
