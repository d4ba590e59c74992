package dev.tinify.runtime.coding;

import java.util.Random;

/** Seeded random tables and symbols with escapes, for property tests of the coders. */
final class RandomTables {
    private RandomTables() {}

    /** 1 to 8 tables of 0 to 60 symbols plus escape, skewed pmfs, tails from 1e-9 to 0.2, offsets -30..5. */
    static CdfTables tables(Random rnd) {
        int k = 1 + rnd.nextInt(8);
        int[] lengths = new int[k];
        int max = 0;
        for (int i = 0; i < k; i++) {
            lengths[i] = rnd.nextInt(61);
            max = Math.max(max, lengths[i]);
        }
        float[] pmf = new float[k * Math.max(max, 1)];
        float[] tails = new float[k];
        int[] offsets = new int[k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < lengths[i]; j++) {
                pmf[i * Math.max(max, 1) + j] = (float) Math.pow(rnd.nextDouble(), 1 + rnd.nextInt(6));
            }
            if (lengths[i] > 0) { // one likely symbol keeps the row from rounding to all zeros
                pmf[i * Math.max(max, 1) + rnd.nextInt(lengths[i])] = 0.5f;
            }
            tails[i] = lengths[i] == 0 ? 1f : (float) Math.pow(10, -9 + 8.3 * rnd.nextDouble());
            offsets[i] = -30 + rnd.nextInt(36);
        }
        return QuantizedCdf.toCdfTables(pmf, lengths, tails, offsets);
    }

    /** Table indexes for {@code n} symbols. */
    static int[] indexes(Random rnd, CdfTables t, int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = rnd.nextInt(t.size());
        }
        return idx;
    }

    /** Symbols for {@code indexes}: about 85% inside the tables, the rest escapes up to the int extremes. */
    static int[] symbols(Random rnd, CdfTables t, int[] indexes) {
        int[] s = new int[indexes.length];
        for (int i = 0; i < s.length; i++) {
            int row = indexes[i];
            int off = t.offsets()[row];
            int maxValue = t.cdfLengths()[row] - 2;
            int roll = rnd.nextInt(100);
            if (roll < 85 && maxValue > 0) {
                s[i] = off + rnd.nextInt(maxValue);
            } else if (roll < 92) {
                s[i] = off + maxValue + rnd.nextInt(40) - 20;
            } else if (roll < 97) {
                s[i] = rnd.nextInt();
            } else {
                s[i] = rnd.nextBoolean() ? Integer.MIN_VALUE : Integer.MAX_VALUE;
            }
        }
        return s;
    }
}
