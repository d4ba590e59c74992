package dev.tinify.runtime.coding;

import java.util.Map;
import java.util.WeakHashMap;

/**
 * Validated, flattened form of {@link CdfTables} shared by the coders: one int array holding all
 * rows back to back, and per row a lookup from the top {@link #LUT_BITS} bits of a cumulative
 * frequency to the first symbol that can contain it, so decoding needs a table read and a short
 * forward scan instead of CompressAI's linear search.
 *
 * <p>Compiled forms are cached per {@link CdfTables} instance (record equality is array identity),
 * so per-position coding with the same tables pays for validation once. Tables must therefore not
 * be mutated after they were first handed to a coder.
 */
final class CompiledTables {
    /** Lookup resolution: 2^10 buckets (2 KiB per row); on the Gaussian benchmark 2^8 was as fast and 2^12 slower (cache). */
    static final int LUT_BITS = 10;
    private static final int LUT_SHIFT = QuantizedCdf.PRECISION - LUT_BITS;
    private static final int ONE = 1 << QuantizedCdf.PRECISION;
    /** Bypass chunks of an escape's raw value: 4 bits each, 9 cover every int symbol and offset. */
    static final int BYPASS_BITS = 4;
    static final int MAX_BYPASS = (1 << BYPASS_BITS) - 1;
    static final int MAX_CHUNKS = 9;

    private static final Map<CdfTables, CompiledTables> CACHE = new WeakHashMap<>();

    final int rows;
    final int[] cdf;
    final int[] base;
    final int[] maxValue;
    final int[] offset;
    final char[] lut;

    private CompiledTables(CdfTables t) {
        rows = t.size();
        if (rows == 0) {
            throw new IllegalArgumentException("CDF tables: no rows");
        }
        base = new int[rows];
        maxValue = new int[rows];
        offset = t.offsets().clone();
        int total = 0;
        for (int r = 0; r < rows; r++) {
            int len = t.cdfLengths()[r];
            int[] row = t.cdfs()[r];
            if (len < 2 || len > row.length || len > ONE + 1) {
                throw new IllegalArgumentException("CDF table row " + r + ": cdfLength " + len + " with a row of "
                        + row.length + " entries; expected 2.." + Math.min(row.length, ONE + 1));
            }
            if ((long) offset[r] + len - 2 > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("CDF table row " + r + ": offset " + offset[r]
                        + " + " + (len - 2) + " symbols overflows int");
            }
            if (row[0] != 0 || row[len - 1] != ONE) {
                throw new IllegalArgumentException("CDF table row " + r + ": starts at " + row[0] + " and ends at "
                        + row[len - 1] + " (cdf[" + (len - 1) + "]); expected 0 and " + ONE);
            }
            for (int i = 1; i < len; i++) {
                if (row[i] <= row[i - 1]) {
                    throw new IllegalArgumentException("CDF table row " + r + ": cdf[" + i + "] = " + row[i]
                            + " <= cdf[" + (i - 1) + "] = " + row[i - 1]
                            + "; rows must increase strictly (every symbol needs a nonzero frequency)");
                }
            }
            base[r] = total;
            maxValue[r] = len - 2;
            total += len;
        }
        cdf = new int[total];
        lut = new char[rows << LUT_BITS];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(t.cdfs()[r], 0, cdf, base[r], maxValue[r] + 2);
            int s = 0;
            for (int bucket = 0; bucket < 1 << LUT_BITS; bucket++) {
                int c = bucket << LUT_SHIFT;
                while (cdf[base[r] + s + 1] <= c) {
                    s++;
                }
                lut[(r << LUT_BITS) | bucket] = (char) s;
            }
        }
    }

    /** The compiled form of {@code t}, validated on first use; throws IllegalArgumentException naming the bad row. */
    static CompiledTables of(CdfTables t) {
        synchronized (CACHE) {
            CompiledTables c = CACHE.get(t);
            if (c == null) {
                c = new CompiledTables(t);
                CACHE.put(t, c);
            }
            return c;
        }
    }

    private IllegalArgumentException badIndex(int i, int index) {
        return new IllegalArgumentException("indexes[" + i + "] = " + index + ": expected 0.." + (rows - 1)
                + " (one per CDF table)");
    }

    /**
     * Appends the coding operations of {@code symbols} to {@code ops} in coding order: per symbol its
     * table interval, and for escapes (value outside {@code [0, maxValue)}) the escape symbol followed
     * by CompressAI's 4-bit bypass chunks: the chunk count in pieces of at most 15, then the chunks of
     * {@code raw = -2v-1} (v &lt; 0) or {@code 2(v - maxValue)}, least significant first.
     */
    void append(int[] symbols, int[] indexes, SymbolOps ops) {
        if (symbols.length != indexes.length) {
            throw new IllegalArgumentException(symbols.length + " symbols but " + indexes.length
                    + " indexes; expected one index per symbol");
        }
        int before = ops.size;
        ops.reserve(symbols.length);
        long[] a = ops.ops;
        int n = before;
        for (int i = 0; i < symbols.length; i++) {
            int idx = indexes[i];
            if (idx < 0 || idx >= rows) {
                ops.size = before; // a rejected call leaves a buffered encoder as it was
                throw badIndex(i, idx);
            }
            long value = (long) symbols[i] - offset[idx];
            int m = maxValue[idx];
            int b = base[idx];
            if (value >= 0 && value < m) {
                int start = cdf[b + (int) value];
                a[n++] = SymbolOps.symbol(start, cdf[b + (int) value + 1] - start);
            } else {
                int start = cdf[b + m];
                a[n++] = SymbolOps.symbol(start, ONE - start);
                ops.size = n;
                appendBypass(value < 0 ? -2 * value - 1 : 2 * (value - m), ops);
                ops.reserve(symbols.length - i - 1);
                a = ops.ops;
                n = ops.size;
            }
        }
        ops.size = n;
    }

    private static void appendBypass(long raw, SymbolOps ops) {
        int chunks = 0;
        while (raw >>> (chunks * BYPASS_BITS) != 0) {
            chunks++;
        }
        ops.reserve(chunks + 2);
        int count = chunks;
        while (count >= MAX_BYPASS) {
            ops.add(SymbolOps.bypass(MAX_BYPASS));
            count -= MAX_BYPASS;
        }
        ops.add(SymbolOps.bypass(count));
        for (int j = 0; j < chunks; j++) {
            ops.add(SymbolOps.bypass((int) (raw >>> (j * BYPASS_BITS)) & MAX_BYPASS));
        }
    }

    /**
     * Decodes {@code indexes.length} symbols from {@code in}, the inverse of {@link #append}. Garbage
     * input yields symbols or {@link CorruptStreamException}, never more than
     * {@code 1 + 1 + MAX_CHUNKS} reads per symbol.
     */
    int[] decode(int[] indexes, SymbolReader in) {
        int[] out = new int[indexes.length];
        int[] cdf = this.cdf;
        for (int i = 0; i < indexes.length; i++) {
            int idx = indexes[i];
            if (idx < 0 || idx >= rows) {
                throw badIndex(i, idx);
            }
            int c = in.peek();
            int b = base[idx];
            int s = lut[(idx << LUT_BITS) | (c >>> LUT_SHIFT)];
            while (cdf[b + s + 1] <= c) {
                s++;
            }
            int start = cdf[b + s];
            in.advance(start, cdf[b + s + 1] - start);
            int m = maxValue[idx];
            out[i] = s != m ? s + offset[idx] : escaped(in, m, offset[idx], i);
        }
        return out;
    }

    private static int escaped(SymbolReader in, int maxValue, int offset, int i) {
        int chunks = 0;
        int piece;
        do {
            piece = in.readBypass();
            chunks += piece;
            if (chunks > MAX_CHUNKS) {
                throw new CorruptStreamException("symbol " + i + ": escape announces more than " + MAX_CHUNKS
                        + " raw chunks");
            }
        } while (piece == MAX_BYPASS);
        long raw = 0;
        for (int j = 0; j < chunks; j++) {
            raw |= (long) in.readBypass() << (j * BYPASS_BITS);
        }
        long value = (raw & 1) != 0 ? -(raw >>> 1) - 1 : (raw >>> 1) + maxValue;
        long symbol = value + offset;
        if (symbol != (int) symbol) {
            throw new CorruptStreamException("symbol " + i + ": escaped value " + symbol + " is outside the int range");
        }
        return (int) symbol;
    }
}
