package dev.tinify.runtime.coding;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * CompressAI's {@code BufferedRansEncoder}: symbols from any number of {@link #encodeWithIndexes}
 * calls are buffered, then {@link #flush()} codes them in reverse (rANS is last-in first-out) so the
 * decoder reads them in call order. {@code flush} empties the buffer; the encoder can be reused.
 */
public final class BufferedRansEncoder implements EntropyCoder.Encoder {
    static final long LOWER_BOUND = 1L << 31;
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final SymbolOps ops = new SymbolOps();

    @Override
    public void encodeWithIndexes(int[] symbols, int[] indexes, CdfTables tables) {
        CompiledTables.of(tables).append(symbols, indexes, ops);
    }

    @Override
    public byte[] flush() {
        long[] a = ops.ops;
        int n = ops.size;
        // Each operation emits at most one word, and the final state takes two.
        byte[] out = new byte[Math.multiplyExact(4, n + 2)];
        int pos = out.length;
        long x = LOWER_BOUND;
        for (int i = n - 1; i >= 0; i--) {
            long op = a[i];
            if (SymbolOps.isBypass(op)) {
                // x_max = ((L >> 16) << 32) << 12 = 2^59 for 4-bit values at frequency 2^12
                if (x >>> 59 != 0) {
                    pos -= 4;
                    INT_LE.set(out, pos, (int) x);
                    x >>>= 32;
                }
                x = (x << CompiledTables.BYPASS_BITS) | SymbolOps.start(op);
            } else {
                int freq = SymbolOps.freq(op);
                // x >= ((L >> 16) << 32) * freq, written so that freq = 2^16 cannot overflow
                if (x >>> 47 >= freq) {
                    pos -= 4;
                    INT_LE.set(out, pos, (int) x);
                    x >>>= 32;
                }
                long q = x / freq;
                x = (q << 16) + (x - q * freq) + SymbolOps.start(op);
            }
        }
        pos -= 8;
        LONG_LE.set(out, pos, x);
        ops.clear();
        return Arrays.copyOfRange(out, pos, out.length);
    }
}
