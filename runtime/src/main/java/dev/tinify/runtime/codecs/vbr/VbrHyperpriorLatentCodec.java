package dev.tinify.runtime.codecs.vbr;

import dev.tinify.runtime.ops.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.codecs.CodecModule;
import dev.tinify.runtime.codecs.Parts;
import dev.tinify.runtime.coding.CdfTables;
import dev.tinify.runtime.coding.EntropyCoder;
import dev.tinify.runtime.entropy.DecisionMargins;
import dev.tinify.runtime.entropy.EntropyBottleneck;
import dev.tinify.runtime.entropy.EntropyModel;
import dev.tinify.runtime.entropy.GaussianConditional;
import dev.tinify.runtime.layers.MaskedConv2d;
import dev.tinify.runtime.nn.Layer;
import dev.tinify.runtime.ops.LowerBound;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The variable-rate hyperprior of Kamisli et al. (DCC 2024), as CompressAI's
 * {@code ScaleHyperpriorVbr}, {@code MeanScaleHyperpriorVbr} and
 * {@code JointAutoregressiveHierarchicalPriorsVbr} code their latents:
 *
 * <pre>
 *          ┌───┐ z ┌──────────┐ z_hat ┌───┐ params
 *     ┌─►──┤h_a├─►─┤ Q(step_z)├───►───┤h_s├───►──────────┐
 *     │    └───┘   └────┬─────┘  EB   └───┘               │ scales, means (per position
 *     │          step_z = bound(z_step(1/gain))           │ with a context model)
 *     │                                                   ▼
 *  y ─┴──► (y - mean)·gain ──► Q ──► |q|, sign ──► sign·(|q| - offset(scale·gain, gain))/gain + mean ──► y_hat
 * </pre>
 *
 * y is coded as {@code round(y·gain - mean·gain)} under N(0, scale·gain); z either with a
 * gain-dependent step ({@code z_step} given: CompressAI's {@code vr_entbttlnck}) or with the unit
 * step. With a context model (mbt2018-vbr) y is coded position by position in raster order, the
 * context seeing the offset reconstructions, and {@code scale_to_context(gain)} is added to the
 * context. Streams {@code [y, z]}; shape {@code [h_z, w_z]}, as the classic models.
 */
public final class VbrHyperpriorLatentCodec extends CodecModule implements VariableRateCodec {
    private static final String NAME = "VbrHyperpriorLatentCodec";

    /** The hyper branch: z's bottleneck and transforms, and the optional gain-dependent z step. */
    public record Hyper(EntropyBottleneck entropyBottleneck, Layer hA, Layer hS, boolean absInput,
                        @Nullable Layer zStep, @Nullable LowerBound zStepBound) {
        public Hyper {
            if ((zStep == null) != (zStepBound == null)) {
                throw new IllegalArgumentException(NAME + ": z_step and z_step_bound go together");
            }
        }
    }

    /** The autoregressive context model (mbt2018-vbr). */
    public record Context(MaskedConv2d contextPrediction, Layer entropyParameters, @Nullable Layer scaleToContext) {}

    private final GaussianConditional gaussianConditional;
    private final boolean means;
    private final GainTable gains;
    private final QuantizationOffsets offsets;
    private final Hyper hyper;
    private final @Nullable Context context;

    /**
     * @param gaussianConditional the density of y
     * @param means whether the parameters hold means after the scales (else all are scales)
     * @param gains the trained gains
     * @param quantOffsets the offset network (CompressAI's {@code QuantABCD}), input [..., 2], output [..., 1]
     * @param hyper the hyper branch
     * @param context the autoregressive context model, or null
     * @param parts whether the codec registers its parts as children
     */
    public VbrHyperpriorLatentCodec(GaussianConditional gaussianConditional, boolean means, GainTable gains, Layer quantOffsets,
            Hyper hyper, @Nullable Context context, Parts parts) {
        super(parts);
        if (context != null && !means) {
            throw new IllegalArgumentException(NAME + ": a context model predicts scales and means");
        }
        this.gaussianConditional = part("gaussian_conditional", gaussianConditional);
        this.means = means;
        this.gains = part("Gain", gains);
        part("QuantABCD", quantOffsets);
        this.offsets = new QuantizationOffsets(quantOffsets, gaussianConditional);
        part("entropy_bottleneck", hyper.entropyBottleneck());
        part("h_a", hyper.hA());
        part("h_s", hyper.hS());
        if (hyper.zStep() != null) {
            part("gayn2zqstep", hyper.zStep());
            part("lower_bound_zqstep", hyper.zStepBound());
        }
        this.hyper = hyper;
        if (context != null) {
            part("context_prediction", context.contextPrediction());
            part("entropy_parameters", context.entropyParameters());
            if (context.scaleToContext() != null) {
                part("scale_to_context", context.scaleToContext());
            }
        }
        this.context = context;
    }

    /** The trained gains, coarse to fine. */
    public GainTable gains() {
        return gains;
    }

    @Override
    public int levels() {
        return gains.levels();
    }

    /** The gain {@code rate} selects: the inverse quantization step of y. */
    public float gain(Rate rate) {
        float gain = rate.gain(gains.gains());
        checkGain(gain);
        return gain;
    }

    private static void checkGain(float gain) {
        if (!(gain > 0) || !Float.isFinite(gain)) {
            throw new IllegalArgumentException(NAME + ": the gain must be positive and finite, got " + gain);
        }
    }

    private NDArray analysis(NDArray y) {
        return hyper.hA().forward(hyper.absInput() ? y.abs() : y);
    }

    /** z's quantization step for {@code gain} as a [1] array, or null for the unit step. */
    private @Nullable NDArray zStep(NDManager manager, float gain) {
        Layer net = hyper.zStep();
        LowerBound bound = hyper.zStepBound();
        if (net == null || bound == null) {
            return null;
        }
        return bound.forward(net.forward(Scalars.copyOf(manager, new float[] {1f / gain}, new Shape(1))));
    }

    /** Scales and means (null when the parameters are all scales). */
    private record Gaussian(NDArray scales, @Nullable NDArray means) {}

    private Gaussian split(NDArray params) {
        if (!means) {
            return new Gaussian(params, null);
        }
        NDList halves = params.split(2, 1);
        return new Gaussian(halves.get(0), halves.get(1));
    }

    @Override
    public ForwardOut forward(NDArray y, Rate rate) {
        float gain = gain(rate);
        NDManager m = y.getManager();
        NDArray z = analysis(y);
        EntropyBottleneck eb = hyper.entropyBottleneck();
        NDArray step = zStep(m, gain);
        EntropyModel.Output zOut;
        NDArray zHat;
        if (step != null) {
            zOut = eb.forward(z, isTraining(), step.get(0));
            zHat = zOut.values();
        } else {
            zOut = eb.forward(z);
            NDArray medians = eb.medians();
            zHat = EntropyModel.quantizeSte(z, medians);
        }
        NDArray params = hyper.hS().forward(zHat);
        Map<String, NDArray> likelihoods = new LinkedHashMap<>();
        NDArray yHat;
        if (context != null) {
            if (isTraining()) {
                throw new UnsupportedOperationException(NAME + ": training with an autoregressive context model is not supported");
            }
            Scan scan = scan(y, params, gain, null);
            NDArray values = Scalars.mul(y.sub(scan.means()), gain);
            likelihoods.put("y", gaussianConditional.forward(values, scan.scaledScales(), null).likelihoods());
            yHat = scan.yHat();
        } else {
            Gaussian g = split(params);
            NDArray centered = g.means() == null ? y : y.sub(g.means());
            NDArray scaled = Scalars.mul(centered, gain);
            NDArray signs = scaled.sign().stopGradient();
            NDArray qAbs = EntropyModel.quantizeSte(scaled.abs());
            NDArray scaledScales = Scalars.mul(g.scales(), gain);
            yHat = offsets.reconstruct(qAbs, signs, scaledScales, gain, g.means());
            likelihoods.put("y", gaussianConditional.forward(Scalars.mul(y, gain), scaledScales,
                    g.means() == null ? null : Scalars.mul(g.means(), gain)).likelihoods());
        }
        likelihoods.put("z", zOut.likelihoods());
        return new ForwardOut(likelihoods, yHat);
    }

    @Override
    public ForwardOut forwardBase(NDArray y) {
        if (context != null) {
            throw new UnsupportedOperationException(NAME + ": training with an autoregressive context model is not supported");
        }
        EntropyModel.Output zOut = hyper.entropyBottleneck().forward(analysis(y));
        Gaussian g = split(hyper.hS().forward(zOut.values()));
        EntropyModel.Output yOut = gaussianConditional.forward(y, g.scales(), g.means());
        Map<String, NDArray> likelihoods = new LinkedHashMap<>();
        likelihoods.put("y", yOut.likelihoods());
        likelihoods.put("z", zOut.likelihoods());
        return new ForwardOut(likelihoods, yOut.values());
    }

    @Override
    public CompressOut compress(NDArray y, Rate rate) {
        float gain = gain(rate);
        NDManager m = y.getManager();
        NDArray z = analysis(y);
        List<Integer> zShape = spatial(z);
        EntropyBottleneck eb = hyper.entropyBottleneck();
        NDArray step = zStep(m, gain);
        List<byte[]> zStrings;
        NDArray zHat;
        if (step != null) {
            float qs = step.toFloatArray()[0];
            zStrings = eb.compress(z, qs);
            zHat = eb.decompress(m, zStrings, zShape, qs);
        } else {
            zStrings = eb.compress(z);
            zHat = eb.decompress(m, zStrings, zShape);
        }
        NDArray params = hyper.hS().forward(zHat);
        List<byte[]> yStrings;
        NDArray yHat;
        if (context != null) {
            List<byte[]> out = new ArrayList<>();
            List<NDArray> recon = new ArrayList<>();
            for (int b = 0; b < y.getShape().get(0); b++) {
                Scan scan = scan(y.get(new NDIndex("{}:{}", b, b + 1)), params.get(new NDIndex("{}:{}", b, b + 1)), gain, null);
                out.add(scan.string());
                recon.add(scan.yHat());
            }
            yStrings = out;
            yHat = NDArrays.concat(new NDList(recon), 0);
        } else {
            Gaussian g = split(params);
            NDArray scaledScales = g.scales().mul(gain);
            NDArray indexes = gaussianConditional.buildIndexes(scaledScales);
            NDArray scaledMeans = g.means() == null ? null : g.means().mul(gain);
            NDArray values = y.mul(gain);
            yStrings = gaussianConditional.compress(values, indexes, scaledMeans);
            NDArray q = scaledMeans == null ? values.round() : values.sub(scaledMeans).round();
            yHat = offsets.reconstruct(q.abs(), q.sign(), scaledScales, gain, g.means());
        }
        return new CompressOut(List.of(yStrings, zStrings), zShape, yHat);
    }

    @Override
    public NDArray decompress(NDManager manager, List<List<byte[]>> strings, Object shape, Rate rate) {
        float gain = gain(rate);
        if (strings.size() != 2) {
            throw new IllegalArgumentException(NAME + ": expected a y stream and a z stream, got " + strings.size() + " streams");
        }
        List<byte[]> yStrings = strings.get(0);
        List<byte[]> zStrings = strings.get(1);
        if (yStrings.size() != zStrings.size()) {
            throw new IllegalArgumentException(NAME + ": y stream has " + yStrings.size() + " batch items, z stream " + zStrings.size());
        }
        List<Integer> zShape = sizeOf(shape, NAME);
        EntropyBottleneck eb = hyper.entropyBottleneck();
        try (NDManager sub = manager.newSubManager()) {
            sub.tempAttachAll(arrays());
            NDArray step = zStep(sub, gain);
            NDArray zHat = step != null ? eb.decompress(sub, zStrings, zShape, step.toFloatArray()[0]) : eb.decompress(sub, zStrings, zShape);
            NDArray params = hyper.hS().forward(zHat);
            NDArray yHat;
            if (context != null) {
                List<NDArray> recon = new ArrayList<>();
                for (int b = 0; b < yStrings.size(); b++) {
                    recon.add(scan(null, params.get(new NDIndex("{}:{}", b, b + 1)), gain, yStrings.get(b)).yHat());
                }
                yHat = NDArrays.concat(new NDList(recon), 0);
            } else {
                Gaussian g = split(params);
                NDArray scaledScales = g.scales().mul(gain);
                NDArray indexes = gaussianConditional.buildIndexes(scaledScales);
                NDArray q = gaussianConditional.decompress(yStrings, indexes, null);
                yHat = offsets.reconstruct(q.abs(), q.sign(), scaledScales, gain, g.means());
            }
            yHat.attach(manager);
            return yHat;
        }
    }

    /** What a raster scan produced: the reconstruction, per-element means and gain-scaled scales, and the string when encoding. */
    private record Scan(NDArray yHat, NDArray means, NDArray scaledScales, byte[] string) {}

    /**
     * The autoregressive scan of one batch item in raster order (positions, then channels). With
     * {@code y} it encodes (and returns the string); with {@code string} it decodes. The
     * context sees the offset reconstructions of the positions before.
     */
    private Scan scan(@Nullable NDArray y, NDArray params, float gain, byte @Nullable [] string) {
        Context ctx = context;
        if (ctx == null) {
            throw new IllegalStateException(NAME + ": no context model");
        }
        NDManager m = params.getManager();
        MaskedConv2d cp = ctx.contextPrediction();
        Shape ws = cp.weight().getShape();
        int out = (int) ws.get(0);
        int c = (int) ws.get(1);
        int k = (int) ws.get(2);
        int pad = (k - 1) / 2;
        int h = (int) params.getShape().get(2);
        int w = (int) params.getShape().get(3);
        if (y != null && (y.getShape().get(1) != c || y.getShape().get(2) != h || y.getShape().get(3) != w)) {
            throw new IllegalArgumentException(NAME + ": latent " + y.getShape() + " does not match the side parameters "
                    + params.getShape());
        }
        NDArray kernel = cp.maskedWeight().reshape(out, (long) c * k * k);
        NDArray bias = cp.bias() == null ? m.zeros(new Shape(out, 1)) : cp.bias().reshape(out, 1);
        NDArray gainContext = null;
        if (ctx.scaleToContext() != null) {
            gainContext = ctx.scaleToContext().forward(Scalars.copyOf(m, new float[] {gain}, new Shape(1, 1))).reshape(out, 1);
        }
        NDArray padded = m.zeros(new Shape(1, c, h + 2L * pad, w + 2L * pad));
        NDArray meansAll = m.zeros(new Shape(1, c, h, w));
        NDArray scalesAll = m.zeros(new Shape(1, c, h, w));
        CdfTables tables = gaussianConditional.cdfTables();
        EntropyCoder coder = gaussianConditional.entropyCoder();
        EntropyCoder.Decoder decoder = string == null ? null : coder.newDecoder(string);
        int[] symbols = new int[c * h * w];
        int[] indexes = new int[c * h * w];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                try (NDManager pos = m.newSubManager()) {
                    NDArray crop = padded.get(new NDIndex(":, :, {}:{}, {}:{}", i, i + k, j, j + k)).reshape((long) c * k * k, 1);
                    crop.attach(pos);
                    NDArray ctxP = kernel.matMul(crop).add(bias);
                    ctxP.attach(pos);
                    if (gainContext != null) {
                        ctxP = ctxP.add(gainContext);
                    }
                    NDArray p = params.get(new NDIndex(":, :, {}, {}", i, j)).reshape(-1, 1);
                    p.attach(pos);
                    NDArray gp = ctx.entropyParameters().forward(p.concat(ctxP, 0).reshape(1, -1, 1, 1));
                    gp.attach(pos);
                    NDList halves = gp.split(2, 1);
                    NDArray scaledScales = halves.get(0).mul(gain);
                    NDArray mu = halves.get(1);
                    int[] idx = gaussianConditional.buildIndexes(scaledScales).toIntArray();
                    NDArray qAbs;
                    NDArray signs;
                    if (decoder == null) {
                        NDArray yv = y.get(new NDIndex(":, :, {}:{}, {}:{}", i, i + 1, j, j + 1));
                        yv.attach(pos);
                        NDArray scaled = yv.sub(mu).mul(gain);
                        DecisionMargins margins = gaussianConditional.margins();
                        if (margins != null) {
                            margins.rounded(scaled.toFloatArray());
                        }
                        signs = scaled.sign();
                        qAbs = scaled.abs().round();
                        int[] q = signs.mul(qAbs).toType(ai.djl.ndarray.types.DataType.INT32, false).toIntArray();
                        System.arraycopy(q, 0, symbols, (i * w + j) * c, c);
                    } else {
                        int[] q = decoder.decodeStream(idx, tables);
                        NDArray qv = pos.create(q, new Shape(1, c, 1, 1)).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
                        signs = qv.sign();
                        qAbs = qv.abs();
                    }
                    System.arraycopy(idx, 0, indexes, (i * w + j) * c, c);
                    NDArray rec = offsets.reconstruct(qAbs, signs, scaledScales, gain, mu);
                    padded.set(new NDIndex(":, :, {}:{}, {}:{}", i + pad, i + pad + 1, j + pad, j + pad + 1), rec);
                    meansAll.set(new NDIndex(":, :, {}:{}, {}:{}", i, i + 1, j, j + 1), mu);
                    scalesAll.set(new NDIndex(":, :, {}:{}, {}:{}", i, i + 1, j, j + 1), scaledScales);
                }
            }
        }
        byte[] encoded = new byte[0];
        if (decoder == null) {
            encoded = coder.encodeWithIndexes(symbols, indexes, tables);
        } else {
            decoder.finish();
        }
        NDArray yHat = padded.get(new NDIndex(":, :, {}:{}, {}:{}", pad, pad + h, pad, pad + w));
        return new Scan(yHat, meansAll, scalesAll, encoded);
    }
}
