package dev.tinify.runtime.entropy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.coding.CdfTables;
import dev.tinify.runtime.coding.EntropyCoder;
import dev.tinify.runtime.nn.ForwardScope;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A mixture of K Gaussians per element, as CompressAI's {@code GaussianMixtureConditional} (Cheng
 * et al. 2020): the likelihood of a bin is {@code sum_k w_k (Phi((x + 0.5 - m_k) / s_k) -
 * Phi((x - 0.5 - m_k) / s_k))}. Scales, means and weights are [B, K*M, ...] for a latent
 * [B, M, ...]: component k is channels {@code [k*M, (k+1)*M)}. Weights are used as given (the
 * caller normalises them, e.g. with a softmax over the components).
 *
 * <p>Coding is CompressAI's, integer for integer: {@link #compress} rounds {@code y} without means,
 * takes {@code abs_max = max(|trunc(max y)|, |trunc(min y)|) + 1}, marks the channels that round to
 * all zeros in a bitmap (they are not coded), and codes {@code round(y) + abs_max} of the other
 * channels with one CDF per element over {@code 2 abs_max + 1} symbols ({@link #cdfs}, built in
 * CompressAI's float32 operation order with a correctly rounded erf). The result is CompressAI's
 * triple (string, abs_max, zero bitmap), one per batch item; {@link Compressed#pack} puts it in
 * one byte string for a container.
 *
 * <p>State-dict names are GaussianConditional's.
 */
public final class GaussianMixtureConditional extends GaussianConditional {
    /** Largest {@code abs_max}: every symbol gets at least 1/65535, so at most 32767 of them fit. */
    public static final int MAX_ABS = 16383;
    /** CDF entries built per coder call: bounds the memory of the per-element tables (8 MiB). */
    private static final int TABLE_BUDGET = 1 << 21;
    private static final int CDF_LIMIT = (1 << PRECISION) - 1;
    /** CompressAI's float32 constants of {@code _build_cdf}. */
    private static final float TINY = 1e-10f;
    private static final float SQRT2 = (float) Math.sqrt(2);
    private static final float MIN_PMF = (float) (1.0 / CDF_LIMIT);
    private static final float SCALE_MIN = (float) SCALES_MIN;
    private static final float SCALE_MAX = (float) SCALES_MAX;

    private final int components;

    /**
     * What {@link #compress} returns for one batch item, as CompressAI's {@code compress} does:
     * the rANS string, {@code abs_max}, and one flag per channel (0: the channel rounds to zeros
     * and is not coded).
     */
    public record Compressed(byte[] string, int absMax, int[] zeroBitmap) {
        /**
         * One byte string: {@code abs_max} (2 bytes, big endian), the bitmap (one bit per channel,
         * most significant first, zero-padded to a byte), then the rANS string.
         */
        public byte[] pack() {
            int bitmapBytes = (zeroBitmap.length + 7) / 8;
            ByteBuffer out = ByteBuffer.allocate(2 + bitmapBytes + string.length).putShort((short) absMax);
            byte[] bits = new byte[bitmapBytes];
            for (int c = 0; c < zeroBitmap.length; c++) {
                if (zeroBitmap[c] != 0) {
                    bits[c / 8] |= (byte) (0x80 >>> (c % 8));
                }
            }
            return out.put(bits).put(string).array();
        }

        /** Reads {@link #pack} output for a latent of {@code channels} channels; a malformed string is an error. */
        public static Compressed unpack(byte[] data, int channels) {
            int bitmapBytes = (channels + 7) / 8;
            if (data.length < 2 + bitmapBytes) {
                throw new IllegalArgumentException("Gaussian mixture string of " + data.length
                        + " bytes is shorter than its header (" + (2 + bitmapBytes) + " bytes)");
            }
            ByteBuffer in = ByteBuffer.wrap(data);
            int absMax = in.getShort() & 0xffff;
            if (absMax < 1 || absMax > MAX_ABS) {
                throw new IllegalArgumentException("Gaussian mixture string has abs_max " + absMax + ", expected 1.." + MAX_ABS);
            }
            int[] bitmap = new int[channels];
            for (int c = 0; c < bitmapBytes * 8; c++) {
                int bit = (data[2 + c / 8] >>> (7 - c % 8)) & 1;
                if (c < channels) {
                    bitmap[c] = bit;
                } else if (bit != 0) {
                    throw new IllegalArgumentException("Gaussian mixture string has bitmap bits set past its " + channels + " channels");
                }
            }
            return new Compressed(Arrays.copyOfRange(data, 2 + bitmapBytes, data.length), absMax, bitmap);
        }
    }

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

    /** The latent [B, M, ...] and its parameters as flat arrays. */
    private record Layout(int batch, int components, int channels, int positions, float[] scales, float[] means,
            float[] weights) {
        /** Index of component k of channel c, position p of batch item b in a parameter array. */
        int at(int b, int k, int c, int p) {
            return ((b * components + k) * channels + c) * positions + p;
        }
    }

    private Layout layout(Shape latent, NDArray scales, NDArray means, NDArray weights) {
        int batch = (int) latent.get(0);
        int channels = (int) latent.get(1);
        int positions = batch * channels == 0 ? 0 : (int) (latent.size() / batch / channels);
        Layout l = new Layout(batch, components, channels, positions, scales.toFloatArray(), means.toFloatArray(), weights.toFloatArray());
        for (float[] a : new float[][] {l.scales(), l.means(), l.weights()}) {
            for (float v : a) {
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException(describe() + ": mixture parameters must be finite, got " + v);
                }
            }
        }
        return l;
    }

    /** Codes {@code round(y)}, one {@link Compressed} per batch item (see the class comment). */
    public List<Compressed> compress(NDArray y, NDArray scales, NDArray means, NDArray weights) {
        checkShapes(y, scales, means, weights);
        Layout l = layout(y.getShape(), scales, means, weights);
        float[] values = y.toFloatArray();
        DecisionMargins margins = margins();
        if (margins != null) {
            // Every element is rounded to its symbol (all-zero channels too: rounding makes them zero).
            margins.rounded(values);
        }
        int per = l.channels() * l.positions();
        List<Compressed> out = new ArrayList<>(l.batch());
        for (int b = 0; b < l.batch(); b++) {
            float max = Float.NEGATIVE_INFINITY;
            float min = Float.POSITIVE_INFINITY;
            for (int e = b * per; e < (b + 1) * per; e++) {
                if (!Float.isFinite(values[e])) {
                    throw new IllegalArgumentException(describe() + ": cannot compress non-finite values (" + values[e] + ")");
                }
                max = Math.max(max, values[e]);
                min = Math.min(min, values[e]);
            }
            // CompressAI: max(|int(y.max())|, |int(y.min())|) + 1, at least 1; int() truncates
            long absMax = per == 0 ? 1 : Math.max(1, Math.max(Math.abs((long) max), Math.abs((long) min)) + 1);
            if (absMax > MAX_ABS) {
                throw new IllegalArgumentException(describe() + ": latent values up to " + Math.max(max, -min)
                        + " exceed the codable range +-" + MAX_ABS);
            }
            int a = (int) absMax;
            int[] bitmap = new int[l.channels()];
            int[] symbols = new int[per];
            int n = 0;
            for (int c = 0; c < l.channels(); c++) {
                for (int p = 0; p < l.positions(); p++) {
                    bitmap[c] |= Math.rint(values[b * per + c * l.positions() + p]) != 0 ? 1 : 0;
                }
                if (bitmap[c] != 0) {
                    for (int p = 0; p < l.positions(); p++) {
                        symbols[n++] = (int) Math.rint(values[b * per + c * l.positions() + p]) + a;
                    }
                }
            }
            EntropyCoder.Encoder enc = entropyCoder().newEncoder();
            int chunk = chunk(a);
            int[] channels = nonzero(bitmap);
            for (int start = 0; start < n; start += chunk) {
                int count = Math.min(chunk, n - start);
                enc.encodeWithIndexes(Arrays.copyOfRange(symbols, start, start + count), iota(count),
                        tables(cdfs(l, b, channels, start, count, a)));
            }
            out.add(new Compressed(enc.flush(), a, bitmap));
        }
        return out;
    }

    /**
     * Decodes {@link #compress} output; the parameters [B, K*M, ...] give the latent's shape
     * [B, M, ...]. Returns float32 values (channels marked zero are 0) in the manager of {@code scales}.
     */
    public NDArray decompress(List<Compressed> strings, NDArray scales, NDArray means, NDArray weights) {
        Shape ps = scales.getShape();
        if (ps.dimension() < 2 || ps.get(1) % components != 0 || ps.get(0) != strings.size()) {
            throw new IllegalArgumentException(describe() + ": parameters " + ps + " do not fit " + strings.size()
                    + " strings with K=" + components);
        }
        if (!means.getShape().equals(ps) || !weights.getShape().equals(ps)) {
            throw new IllegalArgumentException(describe() + ": scales, means and weights must have the same shape");
        }
        long[] dims = ps.getShape().clone();
        dims[1] = ps.get(1) / components;
        Shape shape = new Shape(dims);
        Layout l = layout(shape, scales, means, weights);
        int per = l.channels() * l.positions();
        float[] out = new float[per * l.batch()];
        for (int b = 0; b < l.batch(); b++) {
            Compressed s = strings.get(b);
            if (s.zeroBitmap().length != l.channels() || s.absMax() < 1 || s.absMax() > MAX_ABS) {
                throw new IllegalArgumentException(describe() + ": string " + b + " has " + s.zeroBitmap().length
                        + " channel flags and abs_max " + s.absMax() + ", expected " + l.channels() + " and 1.." + MAX_ABS);
            }
            int[] channels = nonzero(s.zeroBitmap());
            int n = channels.length * l.positions();
            int chunk = chunk(s.absMax());
            EntropyCoder.Decoder dec = entropyCoder().newDecoder(s.string());
            for (int start = 0; start < n; start += chunk) {
                int count = Math.min(chunk, n - start);
                int[] sym = dec.decodeStream(iota(count), tables(cdfs(l, b, channels, start, count, s.absMax())));
                for (int i = 0; i < count; i++) {
                    int e = start + i;
                    out[b * per + channels[e / l.positions()] * l.positions() + e % l.positions()] = sym[i] - s.absMax();
                }
            }
            dec.finish();
        }
        return scales.getManager().create(out, shape);
    }

    /**
     * The CDFs {@link #compress} builds for batch item {@code item}: one row of {@code 2 absMax + 3}
     * entries per coded element (the channels flagged in {@code zeroBitmap}, channel-major), in
     * CompressAI's row order.
     */
    public int[][] cdfs(NDArray scales, NDArray means, NDArray weights, int item, int absMax, int[] zeroBitmap) {
        Shape ps = scales.getShape();
        long[] dims = ps.getShape().clone();
        dims[1] = ps.get(1) / components;
        Layout l = layout(new Shape(dims), scales, means, weights);
        if (zeroBitmap.length != l.channels() || item < 0 || item >= l.batch() || absMax < 1 || absMax > MAX_ABS) {
            throw new IllegalArgumentException(describe() + ": no CDFs for item " + item + " with " + zeroBitmap.length
                    + " channel flags and abs_max " + absMax);
        }
        int[] channels = nonzero(zeroBitmap);
        return cdfs(l, item, channels, 0, channels.length * l.positions(), absMax);
    }

    private static int chunk(int absMax) {
        return Math.max(1, TABLE_BUDGET / (2 * absMax + 3));
    }

    private static int[] nonzero(int[] bitmap) {
        return IntStream.range(0, bitmap.length).filter(c -> bitmap[c] != 0).toArray();
    }

    private static int[] iota(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return idx;
    }

    /** Row i of {@code cdfs} is the table of index i; all symbols start at 0. */
    private static CdfTables tables(int[][] cdfs) {
        int[] lengths = new int[cdfs.length];
        Arrays.fill(lengths, cdfs.length == 0 ? 0 : cdfs[0].length);
        return new CdfTables(cdfs, lengths, new int[cdfs.length]);
    }

    /**
     * CompressAI's {@code _build_cdf} for coded elements {@code start..start+count-1} of item
     * {@code b} (element e is channel {@code channels[e / positions]}, position {@code e %
     * positions}): the float32 mixture mass of each sample, clamped to at least 1/65535, scaled to
     * 65535 and rounded; renormalised through a float32 cumulative sum truncated to integers; then
     * every zero frequency set to 1, paid for by the first symbol whose frequency exceeds the
     * number of zeros; finally the escape entry 65536.
     */
    private int[][] cdfs(Layout l, int b, int[] channels, int start, int count, int absMax) {
        int samples = 2 * absMax + 1;
        int[][] out = new int[count][];
        float[] erf = new float[samples + 1];
        float[] pmf = new float[samples];
        for (int i = 0; i < count; i++) {
            int e = start + i;
            int c = channels[e / l.positions()];
            int p = e % l.positions();
            Arrays.fill(pmf, 0f);
            for (int k = 0; k < components; k++) {
                int at = l.at(b, k, c, p);
                float scale = Math.min(Math.max(l.scales()[at], SCALE_MIN), SCALE_MAX);
                float mean = l.means()[at] + absMax;
                float weight = l.weights()[at];
                float denominator = (scale + TINY) * SQRT2;
                // the upper edge of sample j is the lower edge of sample j + 1, bit for bit
                for (int j = 0; j <= samples; j++) {
                    erf[j] = (float) GaussianMath.erf(((j - 0.5f) - mean) / denominator);
                }
                for (int j = 0; j < samples; j++) {
                    pmf[j] += (0.5f * (1 + erf[j + 1]) - 0.5f * (1 + erf[j])) * weight;
                }
            }
            float sum = 0;
            for (int j = 0; j < samples; j++) {
                pmf[j] = (float) Math.rint(Math.min(Math.max(pmf[j], MIN_PMF), 1f) * CDF_LIMIT);
                sum += pmf[j]; // integers below 2^24: exact in any order
            }
            int[] freq = new int[samples];
            double running = 0; // torch's CPU cumsum accumulates float32 in double
            int previous = 0;
            for (int j = 0; j < samples; j++) {
                running += pmf[j] * CDF_LIMIT / sum;
                int cumulative = (int) (float) running;
                freq[j] = cumulative - previous;
                previous = cumulative;
            }
            int zeros = 0;
            for (int f : freq) {
                zeros += f == 0 ? 1 : 0;
            }
            int steal = 0;
            int smallest = CDF_LIMIT + 1;
            for (int j = 0; j < samples; j++) {
                int candidate = freq[j] > zeros ? freq[j] : CDF_LIMIT + 1;
                if (candidate < smallest) {
                    smallest = candidate;
                    steal = j;
                }
            }
            for (int j = 0; j < samples; j++) {
                freq[j] += freq[j] == 0 ? 1 : 0;
            }
            freq[steal] -= zeros;
            int[] cdf = new int[samples + 2];
            for (int j = 0; j < samples; j++) {
                cdf[j + 1] = cdf[j] + freq[j];
            }
            cdf[samples + 1] = CDF_LIMIT + 1;
            out[i] = cdf;
        }
        return out;
    }
}
