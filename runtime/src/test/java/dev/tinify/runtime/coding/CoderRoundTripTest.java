package dev.tinify.runtime.coding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every coder decodes what it encodes, in one call or in pieces, escapes included. */
class CoderRoundTripTest {
    static java.util.List<String> coders() {
        return EntropyCoders.available();
    }

    @ParameterizedTest
    @MethodSource("coders")
    void randomTablesAndSymbolsRoundTrip(String name) {
        EntropyCoder coder = EntropyCoders.get(name);
        for (int seed = 0; seed < 300; seed++) {
            Random rnd = new Random(seed);
            CdfTables t = RandomTables.tables(rnd);
            int[] idx = RandomTables.indexes(rnd, t, rnd.nextInt(400));
            int[] sym = RandomTables.symbols(rnd, t, idx);
            byte[] bytes = coder.encodeWithIndexes(sym, idx, t);
            assertArrayEquals(sym, coder.decodeWithIndexes(bytes, idx, t), name + " seed " + seed);
        }
    }

    @ParameterizedTest
    @MethodSource("coders")
    void piecewiseEncodingEqualsOneCallAndDecodesPiecewise(String name) {
        EntropyCoder coder = EntropyCoders.get(name);
        for (int seed = 0; seed < 100; seed++) {
            Random rnd = new Random(1000 + seed);
            CdfTables t = RandomTables.tables(rnd);
            int n = rnd.nextInt(500);
            int[] idx = RandomTables.indexes(rnd, t, n);
            int[] sym = RandomTables.symbols(rnd, t, idx);
            int[] cuts = rnd.ints(rnd.nextInt(6), 0, n + 1).sorted().toArray();
            EntropyCoder.Encoder enc = coder.newEncoder();
            int from = 0;
            for (int cut : cuts) {
                enc.encodeWithIndexes(Arrays.copyOfRange(sym, from, cut), Arrays.copyOfRange(idx, from, cut), t);
                from = cut;
            }
            enc.encodeWithIndexes(Arrays.copyOfRange(sym, from, n), Arrays.copyOfRange(idx, from, n), t);
            byte[] bytes = enc.flush();
            assertArrayEquals(coder.encodeWithIndexes(sym, idx, t), bytes, name + " seed " + seed);

            EntropyCoder.Decoder dec = coder.newDecoder(bytes);
            int[] out = new int[n];
            for (int at = 0; at < n; ) {
                int len = Math.min(n - at, 1 + rnd.nextInt(64));
                int[] part = dec.decodeStream(Arrays.copyOfRange(idx, at, at + len), t);
                System.arraycopy(part, 0, out, at, len);
                at += len;
            }
            dec.finish();
            assertArrayEquals(sym, out, name + " seed " + seed);
        }
    }

    @ParameterizedTest
    @MethodSource("coders")
    void emptyInputRoundTrips(String name) {
        EntropyCoder coder = EntropyCoders.get(name);
        CdfTables t = RandomTables.tables(new Random(3));
        byte[] bytes = coder.encodeWithIndexes(new int[0], new int[0], t);
        assertEquals(0, coder.decodeWithIndexes(bytes, new int[0], t).length);
    }

    @ParameterizedTest
    @MethodSource("coders")
    void escapeOnlyTableCodesExtremeValues(String name) {
        EntropyCoder coder = EntropyCoders.get(name);
        CdfTables t = new CdfTables(new int[][] {{0, 65536}}, new int[] {2}, new int[] {Integer.MIN_VALUE});
        int[] sym = {Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1, 1 << 28, Integer.MIN_VALUE + 1};
        int[] idx = new int[sym.length];
        assertArrayEquals(sym, coder.decodeWithIndexes(coder.encodeWithIndexes(sym, idx, t), idx, t));
    }
}
