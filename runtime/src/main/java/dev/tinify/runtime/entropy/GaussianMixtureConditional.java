package dev.tinify.runtime.entropy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.coding.CdfTables;
import dev.tinify.runtime.coding.EntropyCoder;
import dev.tinify.runtime.coding.QuantizedCdf;
import dev.tinify.runtime.nn.ForwardScope;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A mixture of K Gaussians per element, as CompressAI's {@code GaussianMixtureConditional} (Cheng
 * et al. 2020): the likelihood of a bin is {@code sum_k w_k (Phi((x + 0.5 - m_k) / s_k) -
 * Phi((x - 0.5 - m_k) / s_k))}. Scales, means and weights are [B, K*M, ...] for a latent
 * [B, M, ...]: component k is channels {@code [k*M, (k+1)*M)}. Weights are used as given (the
 * caller normalises them, e.g. with a softmax over the components).
 *
 * <p>A mixture does not fit a fixed table per scale, so compress builds one CDF per element from
 * its parameters, over the symbol range {@code [-A, A]} with {@code A = max |round(y)| + 1} of
 * the batch item. Values are rounded without means. Each string is {@code A} (4 bytes, big
 * endian) followed by the coder's stream. The per-element probabilities are computed in
 * {@link StrictMath} double precision, so encoder and decoder build identical tables on any JVM.
 * This stream format is Tinify's own (CompressAI's mixture streams carry a channel bitmap and are
 * not reproduced).
 *
 * <p>State-dict names are GaussianConditional's.
 */
public final class GaussianMixtureConditional extends GaussianConditional {
    /** Elements per coder call: bounds the size of the per-element tables. */
    private static final int CHUNK = 4096;
    private static final int HEADER_BYTES = 4;
    /** Widest symbol range {@code [-A, A]} coded (the coder's tables hold at most 2^16 symbols). */
    private static final int MAX_RANGE = 30000;

    private final int components;
    private final float scaleBound;

    /** A mixture of {@code k} Gaussians with the default scale table, scale bound 0.11 and tail mass 1e-9. */
    public GaussianMixtureConditional(NDManager manager, int k) {
        this(manager, k, defaultScaleTable(), SCALES_MIN, 1e-9);
    }

    /** A mixture of {@code k} Gaussians; the other arguments are GaussianConditional's. */
    public GaussianMixtureConditional(NDManager manager, int k, float[] scaleTable, double scaleBound, double tailMass) {
        super(manager, scaleTable, scaleBound, tailMass);
        if (k <= 0) {
            throw new IllegalArgumentException("GaussianMixtureConditional: K must be positive, got " + k);
        }
        this.components = k;
        this.scaleBound = (float) scaleBound;
    }

    /** Number of mixture components K. */
    public int components() {
        return components;
    }

    @Override
    protected String describe() {
        return "GaussianMixtureConditional(K=" + components + ")";
    }

    private long checkShapes(NDArray inputs, NDArray scales, NDArray means, NDArray weights) {
        Shape in = inputs.getShape();
        if (in.dimension() < 2) {
            throw new IllegalArgumentException(describe() + ": expected a latent [B, M, ...], got " + in);
        }
        long m = in.get(1);
        long[] dims = in.getShape().clone();
        dims[1] = m * components;
        Shape expected = new Shape(dims);
        for (NDArray p : new NDArray[] {scales, means, weights}) {
            if (!p.getShape().equals(expected)) {
                throw new IllegalArgumentException(describe() + ": scales, means and weights must be " + expected
                        + " (K*M channels for a latent " + in + "), got " + p.getShape());
            }
        }
        return m;
    }

    /** Channels {@code [k*M, (k+1)*M)} of a [B, K*M, ...] tensor. */
    private static NDArray component(NDArray p, int k, long m) {
        return p.get(":, " + (k * m) + ":" + ((k + 1) * m));
    }

    /** The mixture likelihood of the unit bin around each input (differentiable, not bounded below). */
    public NDArray likelihood(NDArray inputs, NDArray scales, NDArray means, NDArray weights) {
        long m = checkShapes(inputs, scales, means, weights);
        NDArray total = null;
        for (int k = 0; k < components; k++) {
            NDArray lik = likelihood(inputs, component(scales, k, m), component(means, k, m))
                    .mul(component(weights, k, m));
            total = total == null ? lik : total.add(lik);
        }
        return total;
    }

    /** Forward in the module's mode: noise when training, plain rounding otherwise (no means, as CompressAI). */
    public Output forward(NDArray inputs, NDArray scales, NDArray means, NDArray weights) {
        return forward(inputs, scales, means, weights, isTraining());
    }

    /** Quantizes {@code inputs} and returns the values with their mixture likelihoods (bounded below by 1e-9). */
    public Output forward(NDArray inputs, NDArray scales, NDArray means, NDArray weights, boolean training) {
        checkShapes(inputs, scales, means, weights);
        try (ForwardScope scope = ForwardScope.open(inputs.getManager(), this)) {
            scope.input(inputs);
            NDArray outputs = quantize(inputs, training ? Mode.NOISE : Mode.DEQUANTIZE, null);
            NDArray lik = boundLikelihood(likelihood(outputs, scales, means, weights));
            return new Output(scope.keep(outputs), scope.keep(lik));
        }
    }

    /** Entropy-codes {@code round(y)}: one string per batch item (see the class comment). */
    public List<byte[]> compress(NDArray y, NDArray scales, NDArray means, NDArray weights) {
        long m = checkShapes(y, scales, means, weights);
        int batch = (int) y.getShape().get(0);
        int per = (int) (y.size() / batch);
        float[] values = y.toFloatArray();
        Params params = new Params(scales.toFloatArray(), means.toFloatArray(), weights.toFloatArray(), per);
        EntropyCoder coder = entropyCoder();
        List<byte[]> out = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            int[] symbols = new int[per];
            int range = 1;
            for (int e = 0; e < per; e++) {
                double r = Math.rint(values[b * per + e]); // half to even, as torch.round
                if (!Double.isFinite(r) || Math.abs(r) >= MAX_RANGE) {
                    throw new IllegalArgumentException(describe() + ": latent value " + values[b * per + e]
                            + " at batch " + b + ", element " + e + " is outside the codable range +-" + MAX_RANGE);
                }
                symbols[e] = (int) r;
                range = Math.max(range, Math.abs(symbols[e]) + 1);
            }
            EntropyCoder.Encoder enc = coder.newEncoder();
            for (int start = 0; start < per; start += CHUNK) {
                int n = Math.min(CHUNK, per - start);
                enc.encodeWithIndexes(Arrays.copyOfRange(symbols, start, start + n), iota(n),
                        tables(params, b, start, n, range));
            }
            byte[] body = enc.flush();
            out.add(ByteBuffer.allocate(HEADER_BYTES + body.length).putInt(range).put(body).array());
        }
        return out;
    }

    /**
     * Decodes {@link #compress} output; the parameters give the shape [B, K*M, ...] of which the
     * latent is [B, M, ...]. Returns float32 values in the manager of {@code scales}.
     */
    public NDArray decompress(List<byte[]> strings, NDArray scales, NDArray means, NDArray weights) {
        Shape ps = scales.getShape();
        if (ps.dimension() < 2 || ps.get(1) % components != 0 || ps.get(0) != strings.size()) {
            throw new IllegalArgumentException(describe() + ": parameters " + ps + " do not fit " + strings.size()
                    + " strings with K=" + components);
        }
        long[] dims = ps.getShape().clone();
        dims[1] = ps.get(1) / components;
        Shape shape = new Shape(dims);
        int batch = strings.size();
        int per = (int) (shape.size() / Math.max(batch, 1));
        if (!means.getShape().equals(ps) || !weights.getShape().equals(ps)) {
            throw new IllegalArgumentException(describe() + ": scales, means and weights must have the same shape");
        }
        Params params = new Params(scales.toFloatArray(), means.toFloatArray(), weights.toFloatArray(), per);
        EntropyCoder coder = entropyCoder();
        float[] out = new float[per * batch];
        for (int b = 0; b < batch; b++) {
            byte[] s = strings.get(b);
            if (s.length < HEADER_BYTES) {
                throw new IllegalArgumentException(describe() + ": string " + b + " is too short (" + s.length + " bytes)");
            }
            ByteBuffer buf = ByteBuffer.wrap(s);
            int range = buf.getInt();
            if (range < 1 || range > MAX_RANGE) {
                throw new IllegalArgumentException(describe() + ": string " + b + " has an invalid symbol range " + range);
            }
            EntropyCoder.Decoder dec = coder.newDecoder(Arrays.copyOfRange(s, HEADER_BYTES, s.length));
            for (int start = 0; start < per; start += CHUNK) {
                int n = Math.min(CHUNK, per - start);
                int[] sym = dec.decodeStream(iota(n), tables(params, b, start, n, range));
                for (int i = 0; i < n; i++) {
                    out[b * per + start + i] = sym[i];
                }
            }
        }
        return scales.getManager().create(out, shape);
    }

    private static int[] iota(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return idx;
    }

    /** Mixture parameters of all batch items, flat; {@code per} elements per latent item. */
    private record Params(float[] scales, float[] means, float[] weights, int per) {}

    /**
     * One CDF per element {@code start..start+n-1} of batch item {@code b}: the mixture mass of
     * each integer in {@code [-range, range]}, then the escape symbol with the remaining mass.
     */
    private CdfTables tables(Params p, int b, int start, int n, int range) {
        int symbols = 2 * range + 1;
        int[][] cdfs = new int[n][];
        int[] lengths = new int[n];
        int[] offsets = new int[n];
        double[] edges = new double[symbols + 1];
        double[] mass = new double[symbols];
        for (int i = 0; i < n; i++) {
            Arrays.fill(mass, 0);
            for (int k = 0; k < components; k++) {
                int at = b * components * p.per() + k * p.per() + start + i;
                double s = Math.max(p.scales()[at], scaleBound);
                double mu = p.means()[at];
                double w = p.weights()[at];
                for (int j = 0; j <= symbols; j++) {
                    edges[j] = (-range - 0.5 + j - mu) / s;
                }
                for (int j = 0; j < symbols; j++) {
                    mass[j] += w * binMass(edges[j], edges[j + 1]);
                }
            }
            float[] pmf = new float[symbols + 1];
            double sum = 0;
            for (int j = 0; j < symbols; j++) {
                pmf[j] = (float) mass[j];
                sum += mass[j];
            }
            pmf[symbols] = (float) Math.max(1 - sum, 0);
            cdfs[i] = QuantizedCdf.fromPmf(pmf, PRECISION);
            lengths[i] = symbols + 2;
            offsets[i] = -range;
        }
        return new CdfTables(cdfs, lengths, offsets);
    }

    /** Standard normal mass of [a, b], taken on the side of 0 where the tails are accurate. */
    private static double binMass(double a, double b) {
        if (a >= 0) {
            return GaussianMath.normalCdf(-a) - GaussianMath.normalCdf(-b);
        }
        return GaussianMath.normalCdf(b) - GaussianMath.normalCdf(a);
    }
}
