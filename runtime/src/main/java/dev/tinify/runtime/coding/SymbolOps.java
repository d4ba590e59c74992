package dev.tinify.runtime.coding;

import java.util.Arrays;

/**
 * A growable list of coding operations, each packed in a long: a table interval
 * ({@code start | freq << 16}, 16-bit precision) or a 4-bit bypass value ({@code value | BYPASS}).
 * Filling it is shared by all coders; each coder then consumes it in its own order.
 */
final class SymbolOps {
    static final long BYPASS = 1L << 40;

    long[] ops = new long[64];
    int size;

    static long symbol(int start, int freq) {
        return start | (long) freq << 16;
    }

    static long bypass(int value) {
        return value | BYPASS;
    }

    static boolean isBypass(long op) {
        return (op & BYPASS) != 0;
    }

    static int start(long op) {
        return (int) op & 0xFFFF;
    }

    static int freq(long op) {
        return (int) (op >>> 16) & 0x1FFFF;
    }

    void reserve(int more) {
        long need = (long) size + more;
        if (need > ops.length) {
            if (need > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("more than " + (Integer.MAX_VALUE - 8) + " coding operations buffered");
            }
            ops = Arrays.copyOf(ops, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(need, 2L * ops.length)));
        }
    }

    void add(long op) {
        ops[size++] = op;
    }

    void clear() {
        size = 0;
    }
}
