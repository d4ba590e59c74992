package dev.tinify.runtime.coding;

import java.util.Arrays;

/**
 * A byte-oriented range coder over the same tables and escapes as {@link RansCoder}, but
 * first-in first-out, so its encoder streams without buffering symbols.
 *
 * <p>Format: the coder keeps a 48-bit interval {@code [low, low + range)} with
 * {@code 2^40 <= range <= 2^48}. A symbol {@code [start, start + freq)} of a 16-bit table narrows it
 * to {@code r = range >> 16}: {@code low += r * start}, {@code range = r * freq}, except that the
 * last symbol of the table ({@code start + freq = 2^16}) also keeps the remainder, so no code space
 * is lost. Bypass values use the same rule with 4 bits. Whenever {@code range < 2^40} the top byte
 * of {@code low} is shifted out, carries propagating into bytes already produced (one cached byte
 * plus a count of pending 0xFF bytes). At the end a value with its low 40 bits zero is chosen inside
 * the interval, all its bytes are written, and trailing zero bytes are dropped: the decoder reads
 * missing bytes as zeros. An empty symbol sequence gives an empty stream.
 *
 * <p>The 48-bit range keeps the loss from truncating {@code range >> 16} below 2^-24 per symbol.
 * Stateless and thread-safe; its encoders and decoders are not.
 */
public final class RangeCoder implements EntropyCoder {
    /** Registry name, as recorded in .tfy files. */
    public static final String NAME = "range";

    private static final int BITS = 48;
    private static final long MASK = (1L << BITS) - 1;
    private static final long TOP = 1L << BITS;
    private static final long BOTTOM = 1L << (BITS - 8);
    private static final int ONE = 1 << QuantizedCdf.PRECISION;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] encodeWithIndexes(int[] symbols, int[] indexes, CdfTables tables) {
        Encoder encoder = newEncoder();
        encoder.encodeWithIndexes(symbols, indexes, tables);
        return encoder.flush();
    }

    /** Decodes one whole stream and checks that no data follows its last symbol. */
    @Override
    public int[] decodeWithIndexes(byte[] data, int[] indexes, CdfTables tables) {
        Decoder decoder = newDecoder(data);
        int[] out = decoder.decodeStream(indexes, tables);
        decoder.finish();
        return out;
    }

    @Override
    public Encoder newEncoder() {
        return new RangeEncoder();
    }

    @Override
    public Decoder newDecoder(byte[] data) {
        return new RangeDecoder(data);
    }

    @Override
    public String toString() {
        return NAME;
    }

    private static final class RangeEncoder implements Encoder {
        private final SymbolOps ops = new SymbolOps();
        private byte[] out = new byte[64];
        private int size;
        private long low;
        private long range = TOP;
        /** Byte waiting for a possible carry; -1 before the first one (which would always be 0). */
        private int cache = -1;
        private long pending;

        @Override
        public void encodeWithIndexes(int[] symbols, int[] indexes, CdfTables tables) {
            ops.clear();
            CompiledTables.of(tables).append(symbols, indexes, ops);
            long[] a = ops.ops;
            for (int i = 0, n = ops.size; i < n; i++) {
                long op = a[i];
                if (SymbolOps.isBypass(op)) {
                    encode(SymbolOps.start(op), 1, CompiledTables.BYPASS_BITS);
                } else {
                    encode(SymbolOps.start(op), SymbolOps.freq(op), QuantizedCdf.PRECISION);
                }
            }
            ops.clear();
        }

        private void encode(int start, int freq, int bits) {
            long r = range >>> bits;
            low += r * start;
            range = start + freq == 1 << bits ? range - r * start : r * freq;
            while (range < BOTTOM) {
                shiftLow();
                range <<= 8;
            }
        }

        private void shiftLow() {
            if (low < 0xFFL << (BITS - 8) || low >= TOP) {
                int carry = (int) (low >>> BITS);
                if (cache >= 0) {
                    put(cache + carry);
                }
                for (; pending > 0; pending--) {
                    put(0xFF + carry);
                }
                cache = (int) (low >>> (BITS - 8)) & 0xFF;
            } else {
                pending++;
            }
            low = (low << 8) & MASK;
        }

        private void put(int b) {
            if (size == out.length) {
                out = Arrays.copyOf(out, Math.addExact(size, Math.max(64, size)));
            }
            out[size++] = (byte) b;
        }

        @Override
        public byte[] flush() {
            // The interval holds a multiple of 2^40 since range >= 2^40; it may carry to 2^48.
            low = (low + BOTTOM - 1) & -BOTTOM;
            for (int i = 0; i <= BITS / 8; i++) {
                shiftLow();
            }
            int n = size;
            while (n > 0 && out[n - 1] == 0) {
                n--;
            }
            byte[] result = Arrays.copyOf(out, n);
            size = 0;
            low = 0;
            range = TOP;
            cache = -1;
            pending = 0;
            return result;
        }
    }

    private static final class RangeDecoder extends SymbolReader implements Decoder {
        private final byte[] data;
        /** Bytes consumed, including the zeros read past the end. */
        private long pos;
        private long code;
        private long range = TOP;
        private long r;

        RangeDecoder(byte[] data) {
            this.data = data;
            for (int i = 0; i < BITS / 8; i++) {
                code = (code << 8) | next();
            }
        }

        private int next() {
            long p = pos++;
            return p < data.length ? data[(int) p] & 0xFF : 0;
        }

        @Override
        public int[] decodeStream(int[] indexes, CdfTables tables) {
            return CompiledTables.of(tables).decode(indexes, this);
        }

        /**
         * The encoder's final value has its low 40 bits zero, so a stream ends at least 5 bytes
         * before the decoder's read position; anything beyond that is trailing data.
         */
        @Override
        public void finish() {
            long end = pos - (BITS - 8) / 8;
            if (data.length > end) {
                throw new CorruptStreamException("range-coded stream has " + (data.length - end)
                        + " bytes after the end of its last symbol (of " + data.length + ")");
            }
        }

        @Override
        int peek() {
            r = range >>> QuantizedCdf.PRECISION;
            return (int) Math.min(code / r, ONE - 1);
        }

        @Override
        void advance(int start, int freq) {
            narrow(start, freq, ONE);
        }

        @Override
        int readBypass() {
            r = range >>> CompiledTables.BYPASS_BITS;
            int v = (int) Math.min(code / r, CompiledTables.MAX_BYPASS);
            narrow(v, 1, 1 << CompiledTables.BYPASS_BITS);
            return v;
        }

        private void narrow(int start, int freq, int total) {
            code -= r * start;
            range = start + freq == total ? range - r * start : r * freq;
            while (range < BOTTOM) {
                code = ((code << 8) | next()) & MASK;
                range <<= 8;
            }
        }
    }
}
