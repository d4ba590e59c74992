package dev.tinify.runtime.coding;

/**
 * Quantized CDF tables as CompressAI's coders take them: one row per table index, each row
 * starting at 0 and ending at {@code 1 << precision}, its last real symbol being the escape.
 *
 * <p>Coders validate a table set on first use and cache the validated copy per instance (record
 * equality is array identity), so per-position coding does not pay for it again. Do not mutate the
 * arrays afterwards: build a new {@code CdfTables} instead (see {@link QuantizedCdf#toCdfTables}).
 *
 * @param cdfs rows, {@code cdfs[i].length >= cdfLengths[i]} (rows may be zero-padded)
 * @param cdfLengths used length of each row
 * @param offsets value of symbol 0 of each row (symbol = value - offset)
 */
public record CdfTables(int[][] cdfs, int[] cdfLengths, int[] offsets) {
    public CdfTables {
        if (cdfs.length != cdfLengths.length || cdfs.length != offsets.length) {
            throw new IllegalArgumentException("CDF tables: " + cdfs.length + " rows, "
                    + cdfLengths.length + " lengths, " + offsets.length + " offsets");
        }
    }

    public int size() {
        return cdfs.length;
    }
}
