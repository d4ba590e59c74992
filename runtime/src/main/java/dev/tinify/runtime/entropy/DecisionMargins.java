package dev.tinify.runtime.entropy;

/**
 * How close the values an entropy model coded came to a decision boundary, measured as
 * CompressAI's reference fixtures record it ({@code margins} in their {@code case.json}):
 * {@link #roundHalfDistance()}, the least {@code |frac(v) - 0.5|} over the values {@code v = x -
 * mean} rounded to symbols, and {@link #scaleTableDistance()}, the least {@code |s - t| / t} over
 * the scales {@code s} above the scale bound (smaller ones are clamped, so exact) and the table
 * thresholds {@code t} that choose a CDF index. A float32 computation may round a value that lies
 * within float noise of such a boundary to the other side; a margin well above that noise means
 * every symbol and index must match exactly.
 *
 * <p>An entropy model reports to the margins {@link EntropyModel#watchMargins() watching} it;
 * calls may come from several threads (batch items are coded in parallel).
 */
public final class DecisionMargins {
    private final float[] thresholds;
    private final float bound;
    private double roundHalf = Double.POSITIVE_INFINITY;
    private double scaleTable = Double.POSITIVE_INFINITY;

    /**
     * @param thresholds the scale thresholds choosing a table index (none for a model without scales)
     * @param bound the scale lower bound: scales at or below it are clamped, so never near a threshold
     */
    DecisionMargins(float[] thresholds, float bound) {
        this.thresholds = thresholds.clone();
        this.bound = bound;
    }

    /** Records values rounded to symbols ({@code x - mean}). */
    public synchronized void rounded(float[] values) {
        for (float v : values) {
            rounded(v);
        }
    }

    /** Records one value rounded to a symbol ({@code x - mean}). */
    public synchronized void rounded(float v) {
        double frac = v - Math.floor(v);
        roundHalf = Math.min(roundHalf, Math.abs(frac - 0.5));
    }

    /** Records scales mapped to table indexes (before the lower bound is applied). */
    public synchronized void scaled(float[] scales) {
        for (float s : scales) {
            scaled(s);
        }
    }

    /** Records one scale mapped to a table index (before the lower bound is applied). */
    public synchronized void scaled(float s) {
        if (s > bound) {
            for (float t : thresholds) {
                scaleTable = Math.min(scaleTable, Math.abs((double) s - t) / t);
            }
        }
    }

    /** The least distance of a rounded value to a half-integer; infinity if nothing was rounded. */
    public synchronized double roundHalfDistance() {
        return roundHalf;
    }

    /** The least relative distance of a scale to a table threshold; infinity if no scale was above the bound. */
    public synchronized double scaleTableDistance() {
        return scaleTable;
    }
}
