package dev.tinify.runtime.coding;

/**
 * Quantization of probability mass functions into integer CDFs, exactly as CompressAI's
 * {@code pmf_to_quantized_cdf} (C++) and {@code EntropyModel._pmf_to_cdf} (Python) compute them,
 * so that tables built here code byte-identical streams.
 *
 * <p>The order of operations matters for exactness: each float32 probability is scaled by
 * {@code 2^precision} in float32 and rounded half away from zero; every rounded frequency is then
 * rescaled by {@code 2^precision / total} with integer floor division <em>before</em> the running
 * sum; the last entry is forced to {@code 2^precision}; finally every zero-width symbol takes one
 * unit from the currently smallest interval wider than one (the first such on ties).
 */
public final class QuantizedCdf {
    /** The precision every coder of this package uses. */
    public static final int PRECISION = 16;

    private QuantizedCdf() {}

    /**
     * CompressAI's {@code pmf_to_quantized_cdf(pmf, precision)}.
     *
     * @param pmf non-negative finite probabilities (need not sum to 1), at most {@code 2^precision} of them
     * @param precision bits of the result, 1 to 16
     * @return {@code pmf.length + 1} strictly increasing entries from 0 to {@code 2^precision}
     */
    public static int[] fromPmf(float[] pmf, int precision) {
        if (precision < 1 || precision > PRECISION) {
            throw new IllegalArgumentException("precision " + precision + ": expected 1.." + PRECISION);
        }
        int n = pmf.length;
        int one = 1 << precision;
        if (n == 0 || n > one) {
            throw new IllegalArgumentException("pmf of length " + n + ": expected 1.." + one
                    + " entries at precision " + precision);
        }
        float scale = one;
        long[] freq = new long[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            float p = pmf[i];
            float scaled = p * scale;
            if (!(p >= 0) || !Float.isFinite(scaled)) {
                throw new IllegalArgumentException("pmf[" + i + "] = " + p + ": expected a finite value >= 0");
            }
            // std::round on a non-negative float equals round-half-up; the float product is exact.
            freq[i] = Math.round((double) scaled);
            total += freq[i];
        }
        if (total == 0) {
            throw new IllegalArgumentException("pmf rounds to all zeros at precision " + precision
                    + " (sum " + sum(pmf) + ")");
        }
        if (total > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("pmf sum " + sum(pmf) + " is too large to quantize");
        }
        int[] cdf = new int[n + 1];
        long acc = 0;
        for (int i = 0; i < n; i++) {
            acc += one * freq[i] / total;
            cdf[i + 1] = (int) acc;
        }
        cdf[n] = one;
        stealForZeroWidth(cdf);
        return cdf;
    }

    /** {@code pmf_to_quantized_cdf} of {@code pmf} followed by {@code tailMass} (the escape symbol's mass). */
    public static int[] fromPmf(float[] pmf, float tailMass, int precision) {
        float[] withTail = java.util.Arrays.copyOf(pmf, pmf.length + 1);
        withTail[pmf.length] = tailMass;
        return fromPmf(withTail, precision);
    }

    /**
     * CompressAI's {@code _pmf_to_cdf}: one quantized row per table, each from the first
     * {@code pmfLengths[k]} entries of row k of {@code pmf} plus {@code tailMass[k]} as the escape
     * symbol, zero-padded to {@code max(pmfLengths) + 2}.
     *
     * @param pmf row-major {@code [K, stride]} probabilities, {@code K = pmfLengths.length}
     * @param pmfLengths used length of each row (the CDF length is this + 2)
     * @param tailMass mass of each row's escape symbol
     * @param offsets value of symbol 0 of each row (CompressAI's {@code _offset})
     */
    public static CdfTables toCdfTables(float[] pmf, int[] pmfLengths, float[] tailMass, int[] offsets) {
        int k = pmfLengths.length;
        if (k == 0 || tailMass.length != k || offsets.length != k || pmf.length % k != 0) {
            throw new IllegalArgumentException("pmf tables: " + pmf.length + " pmf values, " + k + " lengths, "
                    + tailMass.length + " tail masses, " + offsets.length
                    + " offsets; expected K >= 1 rows of equal stride and K of each of the others");
        }
        int stride = pmf.length / k;
        int maxLength = 0;
        for (int i = 0; i < k; i++) {
            if (pmfLengths[i] < 0 || pmfLengths[i] > stride) {
                throw new IllegalArgumentException("pmfLengths[" + i + "] = " + pmfLengths[i]
                        + ": expected 0.." + stride + " (the row stride)");
            }
            maxLength = Math.max(maxLength, pmfLengths[i]);
        }
        int[][] rows = new int[k][maxLength + 2];
        int[] lengths = new int[k];
        for (int i = 0; i < k; i++) {
            float[] p = new float[pmfLengths[i] + 1];
            System.arraycopy(pmf, i * stride, p, 0, pmfLengths[i]);
            p[pmfLengths[i]] = tailMass[i];
            int[] cdf = fromPmf(p, PRECISION);
            System.arraycopy(cdf, 0, rows[i], 0, cdf.length);
            lengths[i] = cdf.length;
        }
        return new CdfTables(rows, lengths, offsets.clone());
    }

    /** Gives every zero-width symbol one unit taken from the smallest interval wider than one. */
    private static void stealForZeroWidth(int[] cdf) {
        int last = cdf.length - 1;
        for (int i = 0; i < last; i++) {
            if (cdf[i] != cdf[i + 1]) {
                continue;
            }
            int bestFreq = Integer.MAX_VALUE;
            int best = -1;
            for (int j = 0; j < last; j++) {
                int f = cdf[j + 1] - cdf[j];
                if (f > 1 && f < bestFreq) {
                    bestFreq = f;
                    best = j;
                }
            }
            if (best < i) {
                for (int j = best + 1; j <= i; j++) {
                    cdf[j]--;
                }
            } else {
                for (int j = i + 1; j <= best; j++) {
                    cdf[j]++;
                }
            }
        }
    }

    private static double sum(float[] pmf) {
        double s = 0;
        for (float p : pmf) {
            s += p;
        }
        return s;
    }
}
