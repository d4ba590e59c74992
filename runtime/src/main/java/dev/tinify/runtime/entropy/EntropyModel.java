package dev.tinify.runtime.entropy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.coding.CdfTables;
import dev.tinify.runtime.coding.EntropyCoder;
import dev.tinify.runtime.coding.EntropyCoders;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.nn.Param;
import dev.tinify.runtime.ops.LowerBound;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Base of the entropy models, as CompressAI's {@code EntropyModel}: quantization, the integer CDF
 * tables ({@code _quantized_cdf}, {@code _cdf_length}, {@code _offset} buffers) and entropy coding
 * through an {@link EntropyCoder} with CompressAI's convention: each element is coded as
 * {@code symbol = round(x - mean)} with the table its index names.
 *
 * <p>The tables are empty until {@link #update(boolean)} computes them from the parameters (or a
 * checkpoint loads them); compressing before that is an error that says so.
 */
public abstract class EntropyModel extends Module {
    /** Bits of precision of the quantized CDFs. */
    public static final int PRECISION = 16;

    /** How {@link #quantize} maps a tensor. */
    public enum Mode {
        /** Adds uniform noise in [-0.5, 0.5): the training proxy for rounding (means are ignored). */
        NOISE,
        /**
         * Rounds around the means (half to even) and adds the means back: {@code round(x - m) + m}
         * (with a {@link SurrogateRounding} open: {@code surrogate(x - m) + m}).
         */
        DEQUANTIZE,
        /**
         * {@code round(x - m) + m} with the identity gradient (straight-through), what a codec with
         * {@code quantizer=ste} passes on; with a {@link SurrogateRounding} open, as {@code DEQUANTIZE},
         * so that refinement's rounding stand-in reaches the synthesis too.
         */
        STE,
        /** Integer symbols {@code round(x - m)} as int32. */
        SYMBOLS
    }

    /** Quantized values and their likelihoods, as the entropy models' forward returns them. */
    public record Output(NDArray values, NDArray likelihoods) {}

    private @Nullable Param offset;
    private @Nullable Param quantizedCdf;
    private @Nullable Param cdfLength;
    private @Nullable LowerBound likelihoodLowerBound;
    private @Nullable EntropyCoder coder;
    private @Nullable CdfTables tables;
    private @Nullable NDArray tablesSource;
    private volatile @Nullable DecisionMargins margins;

    /**
     * Registers the CDF buffers (empty) and the {@code likelihood_lower_bound} child. Subclasses
     * call it where CompressAI registers them, so that state-dict keys come in CompressAI's order.
     */
    protected final void initTables(NDManager manager, float likelihoodBound) {
        offset = buffer("_offset", manager.create(new int[0]));
        quantizedCdf = buffer("_quantized_cdf", manager.create(new int[0]));
        cdfLength = buffer("_cdf_length", manager.create(new int[0]));
        likelihoodLowerBound = child("likelihood_lower_bound", new LowerBound(manager, likelihoodBound));
    }

    /** A short description naming the module in error messages, e.g. {@code EntropyBottleneck(8 channels)}. */
    protected abstract String describe();

    /**
     * Computes the CDF tables from the parameters. Without {@code force}, tables that already
     * exist are kept. Returns whether the tables were recomputed.
     */
    public abstract boolean update(boolean force);

    /** Whether the CDF tables exist (after {@link #update} or a checkpoint load). */
    public final boolean hasTables() {
        return offset().value().size() > 0;
    }

    /** The coder used by {@code compress}/{@code decompress}; set one to override the default. */
    public final void setEntropyCoder(@Nullable EntropyCoder coder) {
        this.coder = coder;
    }

    /**
     * Starts measuring the decision margins of what this model codes from now on (replacing any
     * earlier measurement), see {@link DecisionMargins}; {@link #stopWatchingMargins()} ends it.
     */
    public final DecisionMargins watchMargins() {
        DecisionMargins m = new DecisionMargins(scaleThresholds(), scaleBoundValue());
        margins = m;
        return m;
    }

    /** Ends the measurement {@link #watchMargins()} started. */
    public final void stopWatchingMargins() {
        margins = null;
    }

    /** The margins being measured, or null. */
    public final @Nullable DecisionMargins margins() {
        return margins;
    }

    /** The scale thresholds that choose a CDF index; none for a model without scales. */
    protected float[] scaleThresholds() {
        return new float[0];
    }

    /** The scale lower bound, for a model with scales. */
    protected float scaleBoundValue() {
        return 0;
    }

    /** The coder in use: the one set, else the registry default. */
    public final EntropyCoder entropyCoder() {
        EntropyCoder c = coder;
        return c != null ? c : EntropyCoders.defaultCoder();
    }

    /**
     * Quantizes {@code x} (see {@link Mode}). {@code means}, when given, broadcasts against
     * {@code x}. Rounding is half to even, as {@code torch.round}; in {@code DEQUANTIZE} mode, a
     * {@link SurrogateRounding} open on this thread replaces it.
     */
    public NDArray quantize(NDArray x, Mode mode, @Nullable NDArray means) {
        switch (mode) {
            case NOISE:
                return x.add(x.getManager().randomUniform(-0.5f, 0.5f, x.getShape(), x.getDataType()));
            case DEQUANTIZE:
            case STE:
                SurrogateRounding surrogate = SurrogateRounding.current();
                if (surrogate != null) {
                    return means == null ? surrogate.round(x) : surrogate.round(x.sub(means)).add(means);
                }
                if (mode == Mode.STE) {
                    return quantizeSte(x, means);
                }
                return means == null ? x.round() : x.sub(means).round().add(means);
            case SYMBOLS:
                NDArray r = means == null ? x.round() : x.sub(means).round();
                return r.toType(DataType.INT32, false);
            default:
                throw new IllegalArgumentException("quantize: unknown mode " + mode);
        }
    }

    /**
     * Rounds with a straight-through gradient: the value is {@code round(x)} (half to even), the
     * gradient is the identity.
     */
    public static NDArray quantizeSte(NDArray x) {
        return x.round().add(x.sub(x.stopGradient()));
    }

    /** {@code round(x - means) + means} with a straight-through gradient ({@link #quantizeSte(NDArray)} without means). */
    public static NDArray quantizeSte(NDArray x, @Nullable NDArray means) {
        return means == null ? quantizeSte(x) : quantizeSte(x.sub(means)).add(means);
    }

    /** Symbols back to values: {@code symbols + means} (or just the symbols as float32). */
    public static NDArray dequantize(NDArray symbols, @Nullable NDArray means) {
        NDArray f = symbols.toType(DataType.FLOAT32, false);
        return means == null ? f : f.add(means);
    }

    /**
     * Applies the likelihood lower bound ({@code likelihood_lower_bound}); its identity gradient is
     * CompressAI's exactly, since a rate loss always pushes likelihoods up.
     */
    protected final NDArray boundLikelihood(NDArray likelihood) {
        LowerBound b = likelihoodLowerBound;
        if (b == null) {
            throw new IllegalStateException(describe() + ": tables not initialized by the constructor");
        }
        return b.forward(likelihood);
    }

    /**
     * Entropy-codes {@code x}: one byte string per batch item, each element coded as
     * {@code round(x - means)} with the table {@code indexes} names.
     */
    public List<byte[]> compress(NDArray x, NDArray indexes, @Nullable NDArray means) {
        return compress(x, indexes, means, cdfTables());
    }

    /** As {@link #compress(NDArray, NDArray, NDArray)}, with tables other than the buffers' (a variable quantization step). */
    protected final List<byte[]> compress(NDArray x, NDArray indexes, @Nullable NDArray means, CdfTables t) {
        if (x.getShape().dimension() < 2) {
            throw new IllegalArgumentException(describe() + ": compress expects a tensor with at least 2 dimensions, got "
                    + x.getShape());
        }
        if (!x.getShape().equals(indexes.getShape())) {
            throw new IllegalArgumentException(describe() + ": inputs " + x.getShape() + " and indexes "
                    + indexes.getShape() + " must have the same shape");
        }
        int batch = (int) x.getShape().get(0);
        int[] symbols;
        try (NDManager sub = x.getManager().newSubManager()) {
            sub.tempAttachAll(new NDList(x));
            if (means != null) {
                sub.tempAttachAll(new NDList(means));
            }
            if (x.isNaN().logicalOr(x.isInfinite()).any().getBoolean()) {
                throw new IllegalArgumentException(describe() + ": cannot compress non-finite values (NaN or infinity)");
            }
            symbols = quantize(x, Mode.SYMBOLS, means).toIntArray();
            DecisionMargins m = margins;
            if (m != null) {
                m.rounded((means == null ? x : x.sub(means)).toFloatArray());
            }
        }
        int[] idx = toInts(indexes);
        checkIndexes(idx, t);
        int per = symbols.length / batch;
        List<byte[]> out = new ArrayList<>(batch);
        EntropyCoder c = entropyCoder();
        for (int b = 0; b < batch; b++) {
            out.add(c.encodeWithIndexes(Arrays.copyOfRange(symbols, b * per, (b + 1) * per),
                    Arrays.copyOfRange(idx, b * per, (b + 1) * per), t));
        }
        return out;
    }

    /**
     * Decodes strings made by {@link #compress}: {@code indexes} gives the shape (batch first,
     * one string per batch item) and the table of each element; returns {@code symbols + means}
     * as float32 in the manager of {@code indexes}.
     */
    public NDArray decompress(List<byte[]> strings, NDArray indexes, @Nullable NDArray means) {
        return decompress(strings, indexes, means, cdfTables());
    }

    /** As {@link #decompress(List, NDArray, NDArray)}, with tables other than the buffers' (a variable quantization step). */
    protected final NDArray decompress(List<byte[]> strings, NDArray indexes, @Nullable NDArray means, CdfTables t) {
        Shape shape = indexes.getShape();
        if (shape.dimension() < 1 || shape.get(0) != strings.size()) {
            throw new IllegalArgumentException(describe() + ": " + strings.size() + " strings for indexes of shape "
                    + shape + " (expected one string per batch item)");
        }
        if (means != null && !means.getShape().equals(shape)) {
            throw new IllegalArgumentException(describe() + ": means " + means.getShape() + " and indexes " + shape
                    + " must have the same shape");
        }
        int[] idx = toInts(indexes);
        checkIndexes(idx, t);
        int batch = strings.size();
        int per = batch == 0 ? 0 : idx.length / batch;
        int[] symbols = new int[idx.length];
        EntropyCoder c = entropyCoder();
        for (int b = 0; b < batch; b++) {
            int[] dec = c.decodeWithIndexes(strings.get(b), Arrays.copyOfRange(idx, b * per, (b + 1) * per), t);
            System.arraycopy(dec, 0, symbols, b * per, per);
        }
        NDArray s = indexes.getManager().create(symbols, shape);
        if (means == null) {
            NDArray f = s.toType(DataType.FLOAT32, false);
            s.close();
            return f;
        }
        NDArray f = s.toType(DataType.FLOAT32, false);
        s.close();
        NDArray out = f.add(means);
        f.close();
        return out;
    }

    /** The CDF tables as the coders take them; fails with a clear message before {@link #update}. */
    public final CdfTables cdfTables() {
        NDArray cdf = quantizedCdf().value();
        if (cdf.size() == 0) {
            throw new IllegalStateException(describe() + ": uninitialized CDFs. Run update() first");
        }
        if (cdf.getShape().dimension() != 2) {
            throw new IllegalStateException(describe() + ": invalid CDF size " + cdf.getShape() + " (expected 2 dimensions)");
        }
        CdfTables t = tables;
        if (t == null || tablesSource != cdf) {
            int rows = (int) cdf.getShape().get(0);
            int cols = (int) cdf.getShape().get(1);
            int[] flat = toInts(cdf);
            int[][] r = new int[rows][];
            for (int i = 0; i < rows; i++) {
                r[i] = Arrays.copyOfRange(flat, i * cols, (i + 1) * cols);
            }
            int[] lengths = toInts(cdfLength().value());
            int[] offs = toInts(offset().value());
            if (lengths.length != rows || offs.length != rows) {
                throw new IllegalStateException(describe() + ": " + rows + " CDF rows but " + lengths.length
                        + " lengths and " + offs.length + " offsets");
            }
            t = new CdfTables(r, lengths, offs);
            tables = t;
            tablesSource = cdf;
        }
        return t;
    }

    /** Stores freshly computed tables in the buffers (rows zero-padded to the longest). */
    protected final void setTables(int[][] cdfs, int[] lengths, int[] offsets) {
        NDManager m = offset().value().getManager();
        int cols = 0;
        for (int[] row : cdfs) {
            cols = Math.max(cols, row.length);
        }
        int[] flat = new int[cdfs.length * cols];
        for (int i = 0; i < cdfs.length; i++) {
            System.arraycopy(cdfs[i], 0, flat, i * cols, cdfs[i].length);
        }
        quantizedCdf().set(m.create(flat, new Shape(cdfs.length, cols)));
        cdfLength().set(m.create(lengths));
        offset().set(m.create(offsets));
    }

    private void checkIndexes(int[] idx, CdfTables t) {
        for (int i : idx) {
            if (i < 0 || i >= t.size()) {
                throw new IllegalArgumentException(describe() + ": table index " + i + " out of range [0, " + t.size() + ")");
            }
        }
    }

    static int[] toInts(NDArray a) {
        if (a.getDataType() == DataType.INT32) {
            return a.toIntArray();
        }
        try (NDArray i = a.toType(DataType.INT32, false)) {
            return i.toIntArray();
        }
    }

    private Param offset() {
        return required(offset);
    }

    private Param quantizedCdf() {
        return required(quantizedCdf);
    }

    private Param cdfLength() {
        return required(cdfLength);
    }

    private Param required(@Nullable Param p) {
        if (p == null) {
            throw new IllegalStateException(describe() + ": CDF buffers not registered (initTables not called)");
        }
        return p;
    }
}
