package dev.tinify.runtime.entropy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.coding.QuantizedCdf;
import dev.tinify.runtime.nn.ForwardScope;
import dev.tinify.runtime.nn.Param;
import dev.tinify.runtime.ops.LowerBound;
import org.jspecify.annotations.Nullable;

/**
 * A Gaussian conditional entropy model, as CompressAI's {@code GaussianConditional}: each element
 * has its own predicted scale (and optionally mean); for coding, the scale is mapped to the nearest
 * entry of a fixed scale table whose discretized Gaussians are the CDF tables.
 *
 * <p>State-dict names: {@code _offset}, {@code _quantized_cdf}, {@code _cdf_length},
 * {@code scale_table}, {@code scale_bound}, {@code likelihood_lower_bound.bound},
 * {@code lower_bound_scale.bound}.
 */
public class GaussianConditional extends EntropyModel {
    /** Smallest and largest scales of the default table (from Ballé's TF compression). */
    public static final double SCALES_MIN = 0.11;
    public static final double SCALES_MAX = 256;
    public static final int SCALES_LEVELS = 64;

    private final Param scaleTable;
    private final Param scaleBound;
    private final LowerBound lowerBoundScale;
    private final double tailMass;

    /** {@code GaussianConditional} with the default scale table, scale bound 0.11 and tail mass 1e-9. */
    public GaussianConditional(NDManager manager) {
        this(manager, defaultScaleTable(), SCALES_MIN, 1e-9);
    }

    /**
     * @param manager the model's manager
     * @param scaleTable increasing scales (may be empty: set one later with {@link #updateScaleTable})
     * @param scaleBound lower bound applied to the predicted scales, positive
     * @param tailMass probability mass outside the coded range of each table
     */
    public GaussianConditional(NDManager manager, float[] scaleTable, double scaleBound, double tailMass) {
        if (!(scaleBound > 0)) {
            throw new IllegalArgumentException("GaussianConditional: scale bound must be positive, got " + scaleBound);
        }
        if (!(tailMass > 0 && tailMass < 1)) {
            throw new IllegalArgumentException("GaussianConditional: tail mass must be in (0, 1), got " + tailMass);
        }
        checkTable(scaleTable);
        this.tailMass = tailMass;
        initTables(manager, 1e-9f);
        this.scaleTable = buffer("scale_table", manager.create(scaleTable));
        this.scaleBound = buffer("scale_bound", manager.create(new float[] {(float) scaleBound}));
        this.lowerBoundScale = child("lower_bound_scale", new LowerBound(manager, scaleBound));
    }

    private static void checkTable(float[] table) {
        for (int i = 0; i < table.length; i++) {
            if (!(table[i] > 0) || (i > 0 && !(table[i] > table[i - 1]))) {
                throw new IllegalArgumentException("GaussianConditional: scale table must be positive and increasing"
                        + " (entry " + i + " = " + table[i] + ")");
            }
        }
    }

    /**
     * CompressAI's default scale table, {@code exp(linspace(log 0.11, log 256, 64))} in float32,
     * exactly as CompressAI's reference build computes it. The last bit of eight entries depends
     * on the float32 exp of the libtorch build (they differ by one ulp from a correctly rounded
     * exp), and the tables and scale indexes depend on every bit, so the values are constants.
     */
    private static final float[] DEFAULT_SCALE_TABLE = {
        0.11f, 0.124404095f, 0.14069438f, 0.1591178f, 0.1799537f, 0.20351797f, 0.23016793f, 0.2603076f,
        0.29439393f, 0.33294374f, 0.37654155f, 0.4258483f, 0.4816116f, 0.5446769f, 0.6160004f, 0.69666344f,
        0.787889f, 0.89106023f, 1.0077413f, 1.1397015f, 1.2889413f, 1.4577234f, 1.648607f, 1.8644862f,
        2.108634f, 2.384752f, 2.6970267f, 3.0501928f, 3.4496045f, 3.9013174f, 4.4121814f, 4.9899406f,
        5.6433535f, 6.38233f, 7.218074f, 8.163255f, 9.2322035f, 10.441126f, 11.808353f, 13.354618f,
        15.103355f, 17.081085f, 19.317795f, 21.84739f, 24.708223f, 27.943676f, 31.602797f, 35.741077f,
        40.421238f, 45.71425f, 51.70038f, 58.470337f, 66.12683f, 74.78591f, 84.578835f, 95.654144f,
        108.17973f, 122.3455f, 138.36617f, 156.48474f, 176.9758f, 200.15018f, 226.35916f, 256f,
    };

    /** CompressAI's default table: 64 log-spaced scales from 0.11 to 256 (a copy). */
    public static float[] defaultScaleTable() {
        return DEFAULT_SCALE_TABLE.clone();
    }

    @Override
    protected String describe() {
        return "GaussianConditional(" + scaleTable.value().size() + " scales)";
    }

    /** The scale table in use. */
    public float[] scaleTable() {
        return scaleTable.value().toFloatArray();
    }

    /**
     * Replaces the scale table and recomputes the tables, unless tables exist and {@code force} is
     * false. Returns whether it updated (CompressAI's {@code update_scale_table}).
     */
    public boolean updateScaleTable(float[] table, boolean force) {
        if (hasTables() && !force) {
            return false;
        }
        checkTable(table);
        scaleTable.set(scaleTable.value().getManager().create(table));
        computeTables();
        return true;
    }

    @Override
    public boolean update(boolean force) {
        if (hasTables() && !force) {
            return false;
        }
        computeTables();
        return true;
    }

    /**
     * The discretized Gaussian of every table scale: center {@code ceil(scale * -Phi^-1(tail/2))}
     * (float32 product), pmf from {@code Phi((0.5 - |k - center|) / scale) - Phi((-0.5 - |k -
     * center|) / scale)} in float32, escape mass {@code 2 * Phi((-0.5 - center) / scale)}. The
     * float32 steps follow CompressAI's order with a correctly rounded erfc, which reproduces its
     * integer tables.
     */
    private void computeTables() {
        float[] table = scaleTable();
        if (table.length == 0) {
            throw new IllegalStateException(describe() + ": empty scale table; set one with updateScaleTable()");
        }
        float multiplier = (float) -GaussianMath.normalQuantile(tailMass / 2.0);
        int rows = table.length;
        int[][] cdfs = new int[rows][];
        int[] lengths = new int[rows];
        int[] offsets = new int[rows];
        for (int i = 0; i < rows; i++) {
            int center = (int) Math.ceil(table[i] * multiplier);
            int pmfLength = 2 * center + 1;
            float scale = table[i];
            float[] prob = new float[pmfLength + 1];
            for (int k = 0; k < pmfLength; k++) {
                float v = Math.abs(k - center);
                float upper = GaussianMath.standardizedCumulative((0.5f - v) / scale);
                float lower = GaussianMath.standardizedCumulative((-0.5f - v) / scale);
                prob[k] = upper - lower;
            }
            prob[pmfLength] = 2 * GaussianMath.standardizedCumulative((-0.5f - center) / scale);
            cdfs[i] = QuantizedCdf.fromPmf(prob, PRECISION);
            lengths[i] = pmfLength + 2;
            offsets[i] = -center;
        }
        setTables(cdfs, lengths, offsets);
    }

    /**
     * Table index of each scale: with {@code s = max(scale, scale_bound)}, {@code index = last -
     * #{k < last : s <= table[k]}} (so a scale equal to an entry gets that entry).
     */
    public NDArray buildIndexes(NDArray scales) {
        float[] table = scaleTable();
        float bound = scaleBound.value().toFloatArray()[0];
        float[] s = scales.toFloatArray();
        DecisionMargins m = margins();
        if (m != null) {
            m.scaled(s);
        }
        int[] idx = new int[s.length];
        int last = table.length - 1;
        for (int i = 0; i < s.length; i++) {
            float v = Math.max(s[i], bound);
            if (Float.isNaN(s[i])) {
                throw new IllegalArgumentException(describe() + ": NaN scale at flat position " + i);
            }
            int count = 0;
            for (int k = 0; k < last; k++) {
                if (v <= table[k]) {
                    count++;
                }
            }
            idx[i] = last - count;
        }
        return scales.getManager().create(idx, scales.getShape());
    }

    @Override
    protected float[] scaleThresholds() {
        float[] table = scaleTable();
        return java.util.Arrays.copyOf(table, Math.max(0, table.length - 1));
    }

    @Override
    protected float scaleBoundValue() {
        return scaleBound.value().toFloatArray()[0];
    }

    /** {@code max(scales, scale_bound)} as CompressAI's {@code lower_bound_scale} module applies it. */
    public NDArray lowerBoundScale(NDArray scales) {
        return lowerBoundScale.forwardExact(scales);
    }

    /**
     * Likelihood of the unit bin around each {@code inputs} value under N(means, max(scales,
     * bound)): {@code Phi((0.5 - v) / s) - Phi((-0.5 - v) / s)} with {@code v = |inputs - means|}.
     * Differentiable; not bounded below.
     */
    public NDArray likelihood(NDArray inputs, NDArray scales, @Nullable NDArray means) {
        NDArray values = means == null ? inputs : inputs.sub(means);
        NDArray s = lowerBoundScale.forwardExact(scales);
        NDArray negAbs = values.abs().neg();
        // Both bin edges go through the CDF's few dozen operations as one stacked array: half the
        // operations and autograd nodes, the same values and gradients bit for bit.
        NDArray edges = NDArrays.stack(new NDList(negAbs.add(0.5f).div(s), negAbs.sub(0.5f).div(s)));
        NDArray cdf = GaussianMath.standardizedCumulative(edges);
        return cdf.get(0).sub(cdf.get(1));
    }

    /** Forward in the module's mode (noise when training, rounding around the means otherwise). */
    public Output forward(NDArray inputs, NDArray scales, @Nullable NDArray means) {
        return forward(inputs, scales, means, isTraining());
    }

    /** Quantizes {@code inputs} and returns the values with their likelihoods (bounded below by 1e-9). */
    public Output forward(NDArray inputs, NDArray scales, @Nullable NDArray means, boolean training) {
        if (!inputs.getShape().equals(scales.getShape()) || (means != null && !means.getShape().equals(inputs.getShape()))) {
            throw new IllegalArgumentException(describe() + ": inputs " + inputs.getShape() + ", scales "
                    + scales.getShape() + (means == null ? "" : " and means " + means.getShape()) + " must have the same shape");
        }
        try (ForwardScope scope = ForwardScope.open(inputs.getManager(), this)) {
            scope.input(inputs);
            NDArray outputs = quantize(inputs, training ? Mode.NOISE : Mode.DEQUANTIZE, means);
            NDArray lik = boundLikelihood(likelihood(outputs, scales, means));
            return new Output(scope.keep(outputs), scope.keep(lik));
        }
    }
}
