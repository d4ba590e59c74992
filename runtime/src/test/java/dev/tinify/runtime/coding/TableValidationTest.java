package dev.tinify.runtime.coding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad tables and indexes are refused with a message naming the row or position. */
class TableValidationTest {
    private static final int[] GOOD = {0, 30000, 65000, 65536};

    private static CdfTables rows(int[] bad, int length, int offset) {
        return new CdfTables(new int[][] {GOOD, GOOD, GOOD, bad}, new int[] {4, 4, 4, length}, new int[] {0, 0, 0, offset});
    }

    private static void refused(CdfTables t, String... fragments) {
        for (String name : EntropyCoders.available()) {
            EntropyCoder coder = EntropyCoders.get(name);
            check(() -> coder.encodeWithIndexes(new int[] {1}, new int[] {0}, t), fragments);
            check(() -> coder.newEncoder().encodeWithIndexes(new int[] {1}, new int[] {0}, t), fragments);
            byte[] valid = coder.encodeWithIndexes(new int[] {1}, new int[] {0}, rows(GOOD, 4, 0));
            check(() -> coder.decodeWithIndexes(valid, new int[] {0}, t), fragments);
        }
    }

    private static void check(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' should mention '" + f + "'");
        }
    }

    @Test
    void rowMustStartAtZeroAndEndAtOne() {
        refused(rows(new int[] {1, 30000, 65536}, 3, 0), "row 3", "starts at 1");
        refused(rows(new int[] {0, 30000, 65535}, 3, 0), "row 3", "65535");
    }

    @Test
    void rowMustIncreaseStrictly() {
        refused(rows(new int[] {0, 30000, 30000, 65536}, 4, 0), "row 3", "cdf[2]");
        refused(rows(new int[] {0, 40000, 30000, 65536}, 4, 0), "row 3", "increase strictly");
    }

    @Test
    void lengthMustFitTheRow() {
        refused(rows(new int[] {0, 65536}, 3, 0), "row 3", "cdfLength 3");
        refused(rows(new int[] {0, 65536}, 1, 0), "row 3", "cdfLength 1");
    }

    @Test
    void offsetMustKeepSymbolsInIntRange() {
        refused(rows(GOOD, 4, Integer.MAX_VALUE - 1), "row 3", "overflows");
    }

    @Test
    void indexesMustNameATableAndMatchSymbols() {
        CdfTables t = rows(GOOD, 4, 0);
        for (String name : EntropyCoders.available()) {
            EntropyCoder coder = EntropyCoders.get(name);
            check(() -> coder.encodeWithIndexes(new int[] {0, 1}, new int[] {0, 4}, t), "indexes[1] = 4", "0..3");
            check(() -> coder.encodeWithIndexes(new int[] {0, 1}, new int[] {0}, t), "2 symbols but 1 indexes");
            byte[] valid = coder.encodeWithIndexes(new int[] {1, 2}, new int[] {0, 1}, t);
            check(() -> coder.decodeWithIndexes(valid, new int[] {0, -1}, t), "indexes[1] = -1");
        }
        assertThrows(IllegalArgumentException.class,
                () -> new CdfTables(new int[][] {GOOD}, new int[] {4, 4}, new int[] {0}));
        check(() -> EntropyCoders.defaultCoder().encodeWithIndexes(new int[0], new int[0],
                new CdfTables(new int[0][], new int[0], new int[0])), "no rows");
    }

    @Test
    void rejectedCallLeavesBufferedEncoderUnchanged() {
        CdfTables t = rows(GOOD, 4, 0);
        for (String name : EntropyCoders.available()) {
            EntropyCoder coder = EntropyCoders.get(name);
            EntropyCoder.Encoder enc = coder.newEncoder();
            enc.encodeWithIndexes(new int[] {1, 2}, new int[] {0, 1}, t);
            assertThrows(IllegalArgumentException.class,
                    () -> enc.encodeWithIndexes(new int[] {0, 1, 2}, new int[] {0, 1, 9}, t));
            assertArrayEquals(coder.encodeWithIndexes(new int[] {1, 2}, new int[] {0, 1}, t), enc.flush(), name);
        }
    }
}
