package dev.tinify.runtime.entropy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.tinify.runtime.coding.CdfTables;
import dev.tinify.runtime.coding.QuantizedCdf;
import dev.tinify.runtime.nn.ForwardScope;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.nn.Param;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The fully factorized learned density of Ballé et al. (2018), as CompressAI's
 * {@code EntropyBottleneck}: one non-parametric density per channel, given by a small monotonic
 * network (softplus matrices, tanh gates) whose output is the logit of the cumulative.
 *
 * <p>State-dict names: {@code quantiles} [C,1,3] (the tail_mass/2, 0.5 and 1-tail_mass/2
 * quantiles; medians are the middle column), {@code _offset}, {@code _quantized_cdf},
 * {@code _cdf_length}, {@code target}, {@code likelihood_lower_bound.bound},
 * {@code matrices.i}, {@code biases.i}, {@code factors.i} ({@link Naming#LISTS}), or
 * {@code _matrixI}, {@code _biasI}, {@code _factorI} ({@link Naming#LEGACY}, as CompressAI's
 * {@code EntropyBottleneckVbr} still names them).
 *
 * <p>The variable-rate methods (those taking a {@code step}) quantize with an adjustable step
 * {@code qs} as CompressAI's {@code EntropyBottleneckVbr}: symbols {@code round((x - median) /
 * qs)}, values {@code symbol * qs + median}, and CDF tables of bins {@code qs} wide, computed for
 * the step on demand and kept apart from the state dict (the buffers hold the unit-step tables),
 * so that coding at any rate leaves the weights and their fingerprint unchanged. A step of 1 gives
 * exactly the fixed-step results.
 */
public final class EntropyBottleneck extends EntropyModel {
    /** CompressAI's default hidden widths. */
    public static final int[] DEFAULT_FILTERS = {3, 3, 3, 3};

    /** How the density parameters are named in the state dict. */
    public enum Naming {
        /** {@code matrices.0}, {@code biases.0}, {@code factors.0} (CompressAI's {@code EntropyBottleneck}). */
        LISTS,
        /** {@code _matrix0}, {@code _bias0}, {@code _factor0} (CompressAI's {@code EntropyBottleneckVbr}). */
        LEGACY
    }

    private final int channels;
    private final Param quantiles;
    private final Param target;
    private final Param[] matrices;
    private final Param[] biases;
    private final Param[] factors;
    private static final Pattern LIST_NAME = Pattern.compile("(^|.*\\.)(matrices|biases|factors)\\.(\\d+)$");
    private static final Pattern LEGACY_NAME = Pattern.compile("(^|.*\\.)_(matrix|bias|factor)(\\d+)$");
    /** Tables of the last variable step asked for: the step and its tables. */
    private float stepTablesStep = Float.NaN;
    private @Nullable CdfTables stepTables;
    private @Nullable NDArray stepTablesSource;

    /** {@code EntropyBottleneck(channels)} with CompressAI's defaults (tail mass 1e-9, init scale 10, filters 3,3,3,3). */
    public EntropyBottleneck(NDManager manager, int channels) {
        this(manager, channels, 1e-9, 10, DEFAULT_FILTERS);
    }

    /**
     * @param manager the model's manager (owns the parameters)
     * @param channels number of channels C
     * @param tailMass probability mass outside the coded range (escape-coded)
     * @param initScale initial half-width of the densities
     * @param filters hidden widths of the density network
     */
    public EntropyBottleneck(NDManager manager, int channels, double tailMass, double initScale, int[] filters) {
        this(manager, channels, tailMass, initScale, filters, Naming.LISTS);
    }

    /**
     * As {@link #EntropyBottleneck(NDManager, int, double, double, int[])}, with the density
     * parameters named as {@code naming} says.
     */
    public EntropyBottleneck(NDManager manager, int channels, double tailMass, double initScale, int[] filters, Naming naming) {
        if (channels <= 0) {
            throw new IllegalArgumentException("EntropyBottleneck: channels must be positive, got " + channels);
        }
        if (!(tailMass > 0 && tailMass < 1)) {
            throw new IllegalArgumentException("EntropyBottleneck: tail mass must be in (0, 1), got " + tailMass);
        }
        if (!(initScale > 0)) {
            throw new IllegalArgumentException("EntropyBottleneck: init scale must be positive, got " + initScale);
        }
        for (int f : filters) {
            if (f <= 0) {
                throw new IllegalArgumentException("EntropyBottleneck: filters must be positive, got " + Arrays.toString(filters));
            }
        }
        this.channels = channels;
        float s = (float) initScale;
        quantiles = parameter("quantiles", manager.create(repeat(new float[] {-s, 0, s}, channels), new Shape(channels, 1, 3)));
        initTables(manager, 1e-9f);
        float t = (float) Math.log(2 / tailMass - 1);
        target = buffer("target", manager.create(new float[] {-t, 0, t}));

        int[] widths = new int[filters.length + 2];
        widths[0] = 1;
        System.arraycopy(filters, 0, widths, 1, filters.length);
        widths[widths.length - 1] = 1;
        int layers = filters.length + 1;
        double scale = Math.pow(initScale, 1.0 / layers);
        matrices = new Param[layers];
        biases = new Param[layers];
        factors = new Param[filters.length];
        boolean lists = naming == Naming.LISTS;
        ParameterList m = lists ? child("matrices", new ParameterList()) : null;
        ParameterList b = lists ? child("biases", new ParameterList()) : null;
        ParameterList f = lists ? child("factors", new ParameterList()) : null;
        for (int i = 0; i < layers; i++) {
            float init = (float) Math.log(Math.expm1(1 / scale / widths[i + 1]));
            Shape ms = new Shape(channels, widths[i + 1], widths[i]);
            NDArray matrix = manager.full(ms, init);
            NDArray bias = manager.randomUniform(-0.5f, 0.5f, new Shape(channels, widths[i + 1], 1));
            matrices[i] = m != null ? m.add(matrix) : parameter("_matrix" + i, matrix);
            biases[i] = b != null ? b.add(bias) : parameter("_bias" + i, bias);
            if (i < filters.length) {
                NDArray factor = manager.zeros(new Shape(channels, widths[i + 1], 1));
                factors[i] = f != null ? f.add(factor) : parameter("_factor" + i, factor);
            }
        }
    }

    private static float[] repeat(float[] row, int n) {
        float[] out = new float[row.length * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(row, 0, out, i * row.length, row.length);
        }
        return out;
    }

    public int channels() {
        return channels;
    }

    @Override
    protected String describe() {
        return "EntropyBottleneck(" + channels + " channels)";
    }

    /** The medians {@code quantiles[:, :, 1:2]}, shape [C,1,1]. */
    public NDArray medians() {
        return quantiles.value().get(":, :, 1:2");
    }

    /**
     * The logits of the cumulative density at {@code x} [C,1,N]; with {@code stopGradient} the
     * density parameters get no gradient (used by the aux loss and the tables).
     */
    public NDArray logitsCumulative(NDArray x, boolean stopGradient) {
        return logits(x, stopGradient, false);
    }

    /**
     * The cumulative logits with every matrix product done as a chain of fused multiply-adds in
     * index order. The tables must come out the same on every machine (an encoder and a decoder
     * that recompute them must agree), but BLAS kernels sum in a CPU-dependent way: on an AVX2
     * AMD EPYC, sgemm gave tables one step off CompressAI's, while this chain reproduces them.
     */
    private NDArray tableLogits(NDArray x) {
        return logits(x, true, true);
    }

    private NDArray logits(NDArray x, boolean stopGradient, boolean fmaChain) {
        NDArray logits = x;
        for (int i = 0; i < matrices.length; i++) {
            NDArray m = Activation.softPlus(detachIf(matrices[i].value(), stopGradient));
            logits = fmaChain ? fmaMatMul(m, logits) : m.matMul(logits);
            logits = logits.add(detachIf(biases[i].value(), stopGradient));
            if (i < factors.length) {
                NDArray f = detachIf(factors[i].value(), stopGradient);
                logits = logits.add(f.tanh().mul(logits.tanh()));
            }
        }
        return logits;
    }

    /** {@code a [C,R,K] @ b [C,K,N]}, each output {@code fma(a[k], b[k], ...)} from k = 0 up. */
    private static NDArray fmaMatMul(NDArray a, NDArray b) {
        long[] as = a.getShape().getShape();
        int c = (int) as[0], rows = (int) as[1], inner = (int) as[2];
        int cols = (int) b.getShape().get(2);
        float[] fa = a.toFloatArray();
        float[] fb = b.toFloatArray();
        float[] out = new float[c * rows * cols];
        for (int ch = 0; ch < c; ch++) {
            for (int r = 0; r < rows; r++) {
                int aRow = (ch * rows + r) * inner;
                int o = (ch * rows + r) * cols;
                for (int k = 0; k < inner; k++) {
                    float w = fa[aRow + k];
                    int bRow = (ch * inner + k) * cols;
                    for (int j = 0; j < cols; j++) {
                        out[o + j] = Math.fma(w, fb[bRow + j], out[o + j]);
                    }
                }
            }
        }
        return b.getManager().create(out, new Shape(c, rows, cols));
    }

    private static NDArray detachIf(NDArray a, boolean stop) {
        return stop ? a.stopGradient() : a;
    }

    /** Likelihood of the unit bin around each value of {@code x} [C,1,N] (for the tables with {@code forTables}), with the cumulative logits at its edges. */
    private NDArray[] likelihood(NDArray x, boolean forTables) {
        return likelihood(x, forTables, forTables, 1f);
    }

    /**
     * As {@link #likelihood(NDArray, boolean)} for bins {@code step} wide; {@code stopGradient}
     * holds the density parameters fixed, {@code fmaChain} takes the table's exact products (no
     * gradient at all).
     */
    private NDArray[] likelihood(NDArray x, boolean stopGradient, boolean fmaChain, float step) {
        float half = 0.5f * step;
        NDArray lower = logits(x.sub(half), stopGradient, fmaChain);
        NDArray upper = logits(x.add(half), stopGradient, fmaChain);
        NDArray lik = Activation.sigmoid(upper).sub(Activation.sigmoid(lower));
        return new NDArray[] {lik, lower, upper};
    }

    /** Forward in the module's mode: noise when training, rounding around the medians otherwise. */
    public Output forward(NDArray x) {
        return forward(x, isTraining());
    }

    /**
     * Quantizes {@code x} [B,C,...] (noise when {@code training}, else {@code round(x - median) +
     * median}) and returns it with its likelihoods (bounded below by 1e-9).
     */
    public Output forward(NDArray x, boolean training) {
        Shape shape = x.getShape();
        if (shape.dimension() < 2 || shape.get(1) != channels) {
            throw new IllegalArgumentException(describe() + ": expected input [B, " + channels + ", ...], got " + shape);
        }
        try (ForwardScope scope = ForwardScope.open(x.getManager(), this)) {
            scope.input(x);
            NDArray perm = x.swapAxes(0, 1);
            Shape permShape = perm.getShape();
            NDArray values = perm.reshape(channels, 1, -1);
            NDArray outputs = quantize(values, training ? Mode.NOISE : Mode.DEQUANTIZE, medians());
            NDArray lik = boundLikelihood(likelihood(outputs, false)[0]);
            NDArray xHat = outputs.reshape(permShape).swapAxes(0, 1);
            NDArray l = lik.reshape(permShape).swapAxes(0, 1);
            return new Output(scope.keep(xHat), scope.keep(l));
        }
    }

    /**
     * Variable-step forward, as CompressAI's {@code EntropyBottleneckVbr.forward(x, qs=step)}:
     * values {@code round((x - median) / step) * step + median} in evaluation, {@code x + step *
     * noise} in training. The likelihoods are CompressAI's own for that call: unit bins around the
     * values, with the density parameters held fixed (its {@code _likelihood_variable(outputs,
     * qs)} passes the step as {@code stop_gradient}, so no step reaches the bins). {@code step} is
     * a scalar array so that its gradient flows (CompressAI learns the step network through it).
     */
    public Output forward(NDArray x, boolean training, NDArray step) {
        Shape shape = x.getShape();
        if (shape.dimension() < 2 || shape.get(1) != channels) {
            throw new IllegalArgumentException(describe() + ": expected input [B, " + channels + ", ...], got " + shape);
        }
        try (ForwardScope scope = ForwardScope.open(x.getManager(), this)) {
            scope.input(x, step);
            NDArray perm = x.swapAxes(0, 1);
            Shape permShape = perm.getShape();
            NDArray values = perm.reshape(channels, 1, -1);
            NDArray outputs;
            if (training) {
                outputs = values.add(x.getManager().randomUniform(-0.5f, 0.5f, values.getShape(), values.getDataType()).mul(step));
            } else {
                NDArray med = medians();
                outputs = values.sub(med).div(step).round().mul(step).add(med);
            }
            NDArray lik = boundLikelihood(likelihood(outputs, true, false, 1f)[0]);
            NDArray xHat = outputs.reshape(permShape).swapAxes(0, 1);
            NDArray l = lik.reshape(permShape).swapAxes(0, 1);
            return new Output(scope.keep(xHat), scope.keep(l));
        }
    }

    /**
     * The auxiliary loss: {@code sum |logits_cumulative(quantiles) - target|}, which moves the
     * quantiles towards the tail_mass/2, median and 1 - tail_mass/2 points of the density. Only
     * {@code quantiles} gets a gradient.
     */
    public NDArray loss() {
        NDArray logits = logitsCumulative(quantiles.value(), true);
        return logits.sub(target.value()).abs().sum();
    }

    @Override
    public boolean update(boolean force) {
        return update(force, false);
    }

    /**
     * Computes {@code _offset}, {@code _cdf_length} and {@code _quantized_cdf} from the density
     * (CompressAI's {@code update}); with {@code updateQuantiles}, first re-solves the quantiles by
     * bisection. Without {@code force}, existing tables are kept. Returns whether it updated.
     */
    public boolean update(boolean force, boolean updateQuantiles) {
        if (hasTables() && !force) {
            return false;
        }
        stepTables = null;
        NDManager model = quantiles.value().getManager();
        float[] solved = null;
        CdfTables t;
        // Parameters are attached to the scope only while computing; buffers are replaced after it.
        try (NDManager sub = model.newSubManager()) {
            sub.tempAttachAll(arrays());
            if (updateQuantiles) {
                solved = solveQuantiles(sub);
            }
            t = tables(sub, solved != null ? solved : quantiles.value().toFloatArray(), 1f);
        }
        if (solved != null) {
            quantiles.set(model.create(solved, quantiles.value().getShape()));
        }
        setTables(t.cdfs(), t.cdfLengths(), t.offsets());
        return true;
    }

    /**
     * The CDF tables for quantization step {@code step} (CompressAI's {@code update_variable(qs)}),
     * from the current quantiles and density; kept until the step changes, weights are loaded or
     * {@link #update(boolean, boolean)} runs (call it after training steps, as before any coding).
     */
    public CdfTables tables(float step) {
        if (!(step > 0) || !Float.isFinite(step)) {
            throw new IllegalArgumentException(describe() + ": quantization step must be positive and finite, got " + step);
        }
        NDArray source = matrices[0].value();
        CdfTables t = stepTables;
        if (t != null && step == stepTablesStep && source == stepTablesSource) {
            return t;
        }
        try (NDManager sub = quantiles.value().getManager().newSubManager()) {
            sub.tempAttachAll(arrays());
            t = tables(sub, quantiles.value().toFloatArray(), step);
        }
        stepTables = t;
        stepTablesStep = step;
        stepTablesSource = source;
        return t;
    }

    /** The tables of quantiles {@code q} for bins {@code step} wide, in float32 in CompressAI's order. */
    private CdfTables tables(NDManager sub, float[] q, float step) {
        int[][] cdfs = new int[channels][];
        int[] cdfLengths = new int[channels];
        int[] offsets = new int[channels];
        int[] minima = new int[channels];
        int[] lengths = new int[channels];
        float[] start = new float[channels];
        int maxLength = 0;
        for (int c = 0; c < channels; c++) {
            float median = q[3 * c + 1];
            // float32 arithmetic in CompressAI's order: ceil((median - q0) / qs), ceil((q2 - median) / qs), clamped at 0
            minima[c] = Math.max((int) Math.ceil((median - q[3 * c]) / step), 0);
            int maxima = Math.max((int) Math.ceil((q[3 * c + 2] - median) / step), 0);
            offsets[c] = -minima[c];
            start[c] = median - (float) minima[c] * step;
            lengths[c] = minima[c] + maxima + 1;
            maxLength = Math.max(maxLength, lengths[c]);
        }
        float[] samples = new float[channels * maxLength];
        for (int c = 0; c < channels; c++) {
            for (int k = 0; k < maxLength; k++) {
                samples[c * maxLength + k] = (float) k * step + start[c];
            }
        }
        NDArray[] lik = likelihood(sub.create(samples, new Shape(channels, 1, maxLength)), true, true, step);
        float[] pmf = lik[0].toFloatArray();
        float[] lower = lik[1].toFloatArray();
        float[] upper = lik[2].toFloatArray();
        // CompressAI takes the tail mass at the ends of the padded sample range (index 0 and
        // maxLength - 1) for every channel, whatever its own length.
        float[] lowerTail = Activation.sigmoid(sub.create(firstOfRows(lower, maxLength))).toFloatArray();
        float[] upperTail = Activation.sigmoid(sub.create(lastOfRows(upper, maxLength)).neg()).toFloatArray();
        for (int c = 0; c < channels; c++) {
            float[] prob = new float[lengths[c] + 1];
            System.arraycopy(pmf, c * maxLength, prob, 0, lengths[c]);
            prob[lengths[c]] = lowerTail[c] + upperTail[c];
            cdfs[c] = QuantizedCdf.fromPmf(prob, PRECISION);
            cdfLengths[c] = lengths[c] + 2;
        }
        int cols = 0;
        for (int[] row : cdfs) {
            cols = Math.max(cols, row.length);
        }
        for (int c = 0; c < channels; c++) {
            cdfs[c] = Arrays.copyOf(cdfs[c], cols);
        }
        return new CdfTables(cdfs, cdfLengths, offsets);
    }

    private static float[] firstOfRows(float[] a, int cols) {
        float[] out = new float[a.length / cols];
        for (int i = 0; i < out.length; i++) {
            out[i] = a[i * cols];
        }
        return out;
    }

    private static float[] lastOfRows(float[] a, int cols) {
        float[] out = new float[a.length / cols];
        for (int i = 0; i < out.length; i++) {
            out[i] = a[i * cols + cols - 1];
        }
        return out;
    }

    /**
     * Re-solves the three quantiles per channel by bisection on the cumulative logits (search
     * radius 1e5, stopping when bounds agree within rtol 1e-4 / atol 1e-3), as CompressAI's
     * {@code _update_quantiles}.
     */
    private float[] solveQuantiles(NDManager sub) {
        float[] t = target.value().toFloatArray();
        float[] q = quantiles.value().toFloatArray();
        for (int j = 0; j < t.length; j++) {
            float[] low = new float[channels];
            float[] high = new float[channels];
            Arrays.fill(low, -1e5f);
            Arrays.fill(high, 1e5f);
            float[] fHigh = cumulativeAt(sub, high);
            float[] fLow = cumulativeAt(sub, low);
            for (int c = 0; c < channels; c++) {
                float l = t[j] <= fHigh[c] ? low[c] : high[c];
                float h = fLow[c] <= t[j] ? high[c] : low[c];
                low[c] = l;
                high[c] = h;
            }
            while (!allClose(low, high)) {
                float[] mid = new float[channels];
                for (int c = 0; c < channels; c++) {
                    mid[c] = (low[c] + high[c]) / 2;
                }
                float[] fMid = cumulativeAt(sub, mid);
                for (int c = 0; c < channels; c++) {
                    if (fMid[c] <= t[j]) {
                        low[c] = mid[c];
                    }
                    if (fMid[c] >= t[j]) {
                        high[c] = mid[c];
                    }
                }
            }
            for (int c = 0; c < channels; c++) {
                q[3 * c + j] = (low[c] + high[c]) / 2;
            }
        }
        return q;
    }

    private float[] cumulativeAt(NDManager sub, float[] points) {
        try (NDManager inner = sub.newSubManager()) {
            return tableLogits(inner.create(points, new Shape(channels, 1, 1))).toFloatArray();
        }
    }

    private static boolean allClose(float[] a, float[] b) {
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= 1e-3f + 1e-4f * Math.abs(b[i]))) {
                return false;
            }
        }
        return true;
    }

    /** Table index of every element of a [B,C,...] tensor: its channel. */
    private NDArray buildIndexes(NDManager manager, Shape size) {
        int[] idx = new int[Math.toIntExact(size.size())];
        long inner = size.size() / (size.get(0) * size.get(1));
        for (int i = 0; i < idx.length; i++) {
            idx[i] = (int) ((i / inner) % size.get(1));
        }
        return manager.create(idx, size);
    }

    /** The medians broadcast to {@code size} [B,C,...], created in {@code manager}. */
    private NDArray mediansFor(NDManager manager, Shape size) {
        float[] q = quantiles.value().toFloatArray();
        float[] medians = new float[channels];
        for (int c = 0; c < channels; c++) {
            medians[c] = q[3 * c + 1];
        }
        long[] view = new long[size.dimension()];
        Arrays.fill(view, 1);
        view[1] = channels;
        return manager.create(medians, new Shape(view)).broadcast(size);
    }

    /** Entropy-codes {@code x} [B,C,...]: one string per batch item, symbols {@code round(x - median)} with table = channel. */
    public List<byte[]> compress(NDArray x) {
        Shape size = x.getShape();
        if (size.dimension() < 2 || size.get(1) != channels) {
            throw new IllegalArgumentException(describe() + ": expected input [B, " + channels + ", ...], got " + size);
        }
        try (NDManager sub = x.getManager().newSubManager()) {
            return compress(x, buildIndexes(sub, size), mediansFor(sub, size));
        }
    }

    /**
     * Entropy-codes {@code x} [B,C,...] with quantization step {@code step}: symbols
     * {@code round((x - median) / step)} with the tables of {@link #tables(float)}.
     */
    public List<byte[]> compress(NDArray x, float step) {
        Shape size = x.getShape();
        if (size.dimension() < 2 || size.get(1) != channels) {
            throw new IllegalArgumentException(describe() + ": expected input [B, " + channels + ", ...], got " + size);
        }
        CdfTables t = tables(step);
        try (NDManager sub = x.getManager().newSubManager()) {
            NDArray scaled = x.sub(mediansFor(sub, size)).div(step);
            scaled.attach(sub);
            return compress(scaled, buildIndexes(sub, size), null, t);
        }
    }

    /** Decodes {@link #compress(NDArray, float)} output: {@code symbol * step + median}, [B,C,...] in {@code manager}. */
    public NDArray decompress(NDManager manager, List<byte[]> strings, List<? extends Number> size, float step) {
        CdfTables t = tables(step);
        Shape full = fullShape(strings, size);
        try (NDManager sub = manager.newSubManager()) {
            NDArray out = decompress(strings, buildIndexes(sub, full), null, t).mul(step).add(mediansFor(sub, full));
            out.attach(manager);
            return out;
        }
    }

    private Shape fullShape(List<byte[]> strings, List<? extends Number> size) {
        long[] dims = new long[size.size() + 2];
        dims[0] = strings.size();
        dims[1] = channels;
        for (int i = 0; i < size.size(); i++) {
            dims[i + 2] = size.get(i).longValue();
            if (dims[i + 2] <= 0) {
                throw new IllegalArgumentException(describe() + ": invalid spatial size " + size);
            }
        }
        return new Shape(dims);
    }

    /** Decodes {@link #compress} output; {@code size} is the spatial size (e.g. [H, W]); returns [B,C,...] in {@code manager}. */
    public NDArray decompress(NDManager manager, List<byte[]> strings, List<? extends Number> size) {
        Shape full = fullShape(strings, size);
        try (NDManager sub = manager.newSubManager()) {
            NDArray out = decompress(strings, buildIndexes(sub, full), mediansFor(sub, full));
            out.attach(manager);
            return out;
        }
    }

    /** Spatial size of a tensor [B,C,...] as CompressAI's {@code x.size()[2:]}. */
    public static List<Integer> spatialSize(Shape shape) {
        List<Integer> out = new ArrayList<>();
        for (int i = 2; i < shape.dimension(); i++) {
            out.add((int) shape.get(i));
        }
        return out;
    }

    /**
     * The same density parameter under the other {@link Naming} ({@code h.matrices.0} and
     * {@code h._matrix0}, likewise biases and factors), or null if {@code key} names none; CompressAI's
     * loader renames them the same way.
     */
    public static @Nullable String otherNaming(String key) {
        Matcher lists = LIST_NAME.matcher(key);
        if (lists.matches()) {
            String single = switch (lists.group(2)) {
                case "matrices" -> "_matrix";
                case "biases" -> "_bias";
                default -> "_factor";
            };
            return lists.group(1) + single + lists.group(3);
        }
        Matcher legacy = LEGACY_NAME.matcher(key);
        if (legacy.matches()) {
            String list = switch (legacy.group(2)) {
                case "matrix" -> "matrices";
                case "bias" -> "biases";
                default -> "factors";
            };
            return legacy.group(1) + list + "." + legacy.group(3);
        }
        return null;
    }

    /** Parameters as a module named {@code 0, 1, ...} (CompressAI's {@code nn.ParameterList}). */
    private static final class ParameterList extends Module {
        private int size;

        Param add(NDArray value) {
            return parameter(Integer.toString(size++), value);
        }
    }
}
