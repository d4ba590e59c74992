package dev.tinify.runtime.codecs.context;

/**
 * The inner loop of per-position context work: {@code acc[0..n) += sum_k x[k] * w[row[k]][0..n)}
 * over the rows of an input-major weight matrix. Rows are taken four at a time so that each
 * pass over the accumulator does four multiply-adds per element. Each row is its own array and
 * every index starts at 0: that is the loop shape the JIT turns into vector code (with row
 * offsets into one big array it stays scalar and runs about 5x slower).
 */
final class Gemv {
    private Gemv() {}

    static void accumulate(float[][] w, int[] row, float[] x, int count, float[] acc, int n) {
        int k = 0;
        for (; k + 4 <= count; k += 4) {
            float a0 = x[k];
            float a1 = x[k + 1];
            float a2 = x[k + 2];
            float a3 = x[k + 3];
            float[] w0 = w[row[k]];
            float[] w1 = w[row[k + 1]];
            float[] w2 = w[row[k + 2]];
            float[] w3 = w[row[k + 3]];
            for (int o = 0; o < n; o++) {
                acc[o] += a0 * w0[o] + a1 * w1[o] + a2 * w2[o] + a3 * w3[o];
            }
        }
        for (; k < count; k++) {
            float a = x[k];
            float[] w0 = w[row[k]];
            for (int o = 0; o < n; o++) {
                acc[o] += a * w0[o];
            }
        }
    }

    /**
     * The same sum for a block of positions that share weight rows {@code [from, to)}:
     * {@code acc[p][0..n) += sum_r x[p][r - from] * w[r][0..n)}. Each group of four weight rows
     * is loaded once and used for every position of the block, so the weights are read from
     * cache instead of memory.
     */
    static void accumulateBlock(float[][] w, int from, int to, float[][] x, float[][] acc, int positions, int n) {
        int r = from;
        for (; r + 4 <= to; r += 4) {
            float[] w0 = w[r];
            float[] w1 = w[r + 1];
            float[] w2 = w[r + 2];
            float[] w3 = w[r + 3];
            int k = r - from;
            for (int p = 0; p < positions; p++) {
                float[] xp = x[p];
                float a0 = xp[k];
                float a1 = xp[k + 1];
                float a2 = xp[k + 2];
                float a3 = xp[k + 3];
                float[] ap = acc[p];
                for (int o = 0; o < n; o++) {
                    ap[o] += a0 * w0[o] + a1 * w1[o] + a2 * w2[o] + a3 * w3[o];
                }
            }
        }
        for (; r < to; r++) {
            float[] w0 = w[r];
            int k = r - from;
            for (int p = 0; p < positions; p++) {
                float a = x[p][k];
                float[] ap = acc[p];
                for (int o = 0; o < n; o++) {
                    ap[o] += a * w0[o];
                }
            }
        }
    }

    /** Splits a row-major {@code [rows][n]} matrix into one array per row. */
    static float[][] rows(float[] flat, int rows, int n) {
        float[][] out = new float[rows][n];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(flat, r * n, out[r], 0, n);
        }
        return out;
    }
}
