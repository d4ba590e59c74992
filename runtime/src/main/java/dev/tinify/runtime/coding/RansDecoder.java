package dev.tinify.runtime.coding;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * CompressAI's {@code RansDecoder} after {@code set_stream}: each {@link #decodeStream} call
 * continues where the previous one stopped. Reading past the end of the stream, or a stream that
 * is not a whole number of 32-bit words of at least two words, throws {@link CorruptStreamException}.
 */
public final class RansDecoder extends SymbolReader implements EntropyCoder.Decoder {
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final byte[] data;
    private int pos;
    private long x;

    /** Starts decoding {@code data} (CompressAI's {@code set_stream}); reads the initial state. */
    public RansDecoder(byte[] data) {
        if (data.length < 8 || data.length % 4 != 0) {
            throw new CorruptStreamException("rANS stream of " + data.length
                    + " bytes: expected a multiple of 4 bytes, at least 8");
        }
        this.data = data;
        x = (long) LONG_LE.get(data, 0);
        pos = 8;
    }

    @Override
    public int[] decodeStream(int[] indexes, CdfTables tables) {
        return CompiledTables.of(tables).decode(indexes, this);
    }

    /** Checks the stream was consumed exactly: every word read and the state back at its initial value. */
    @Override
    public void finish() {
        if (pos != data.length || x != BufferedRansEncoder.LOWER_BOUND) {
            throw new CorruptStreamException("rANS stream does not end after the last symbol ("
                    + (data.length - pos) + " of " + data.length + " bytes unread, final state " + Long.toHexString(x)
                    + " instead of 80000000)");
        }
    }

    @Override
    int peek() {
        return (int) x & 0xFFFF;
    }

    @Override
    void advance(int start, int freq) {
        long y = freq * (x >>> 16) + (x & 0xFFFF) - start;
        x = y >>> 31 == 0 ? (y << 32) | nextWord() : y;
    }

    @Override
    int readBypass() {
        int value = (int) x & CompiledTables.MAX_BYPASS;
        long y = x >>> CompiledTables.BYPASS_BITS;
        x = y >>> 31 == 0 ? (y << 32) | nextWord() : y;
        return value;
    }

    private long nextWord() {
        if (pos + 4 > data.length) {
            throw new CorruptStreamException("rANS stream of " + data.length + " bytes ends before its last symbol");
        }
        long w = (int) INT_LE.get(data, pos) & 0xFFFF_FFFFL;
        pos += 4;
        return w;
    }
}
