package dev.tinify.runtime.codecs.context;

/**
 * Maps a Gaussian scale to its CDF table index the way CompressAI's
 * {@code GaussianConditional.build_indexes} does, for per-position use without tensor calls:
 * {@code s = max(scale, bound)}, {@code index = (n - 1) - #{k < n - 1 : s <= table[k]}}.
 */
public final class ScaleIndexer {
    private final float[] table;
    private final float bound;

    /**
     * @param scaleTable the sorted scale table (CompressAI's {@code scale_table} buffer)
     * @param bound the scale lower bound ({@code lower_bound_scale.bound}, 0.11 by default)
     */
    public ScaleIndexer(float[] scaleTable, float bound) {
        if (scaleTable.length == 0) {
            throw new IllegalArgumentException("scale table is empty");
        }
        for (int i = 1; i < scaleTable.length; i++) {
            if (!(scaleTable[i - 1] <= scaleTable[i])) {
                throw new IllegalArgumentException("scale table is not sorted at entry " + i + ": "
                        + scaleTable[i - 1] + " then " + scaleTable[i]);
            }
        }
        this.table = scaleTable.clone();
        this.bound = bound;
    }

    public int index(float scale) {
        float s = Math.max(scale, bound);
        int last = table.length - 1;
        // the count of entries k < last with s <= table[k] is last - (first such k), so the index
        // is that first k (or last if there is none)
        int lo = 0;
        int hi = last;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (s <= table[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }
}
