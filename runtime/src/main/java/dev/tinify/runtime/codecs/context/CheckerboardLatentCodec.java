package dev.tinify.runtime.codecs.context;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.codecs.GaussianConditionalLatentCodec;
import dev.tinify.runtime.codecs.GaussianConditionalLatentCodec.Chunks;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.codecs.Parts;
import dev.tinify.runtime.entropy.EntropyModel;
import dev.tinify.runtime.layers.ShapedLayer;
import dev.tinify.runtime.nn.ForwardScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import dev.tinify.runtime.ops.Scalars;

/**
 * Two-pass checkerboard context (CompressAI's {@code CheckerboardLatentCodec}, He et al. 2021):
 * the anchors are coded first with no spatial context, then the non-anchors with the context
 * {@code context_prediction} computes from the decoded anchors. The Gaussian parameters are
 * {@code entropy_parameters(cat(context, side params))}; {@code entropy_parameters} must be
 * pointwise (1x1 convolutions), because it runs on each half separately.
 *
 * <p>Each half is coded by the child codec {@code y} as an (H, W/2) latent: rows keep their
 * order and each row keeps only its anchor (or non-anchor) columns ({@link #unembed}). Streams:
 * the child's anchor stream, then its non-anchor stream. Shape {@code [C, H, W]}; W must be even.
 *
 * <p>Parts: {@code entropy_parameters}, {@code context_prediction}, {@code y} (the child codec,
 * for example a {@code GaussianConditionalLatentCodec} with {@code quantizer = ste}).
 */
public final class CheckerboardLatentCodec extends ContextCodec {
    private static final String NAME = "CheckerboardLatentCodec";

    /** Which positions are anchors: (row + col) even or odd. */
    public enum AnchorParity {
        EVEN, ODD;

        /** Parses CompressAI's spelling ({@code "even"}, {@code "odd"}). */
        public static AnchorParity of(String name) {
            for (AnchorParity p : values()) {
                if (p.name().equalsIgnoreCase(name)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("unknown anchor parity '" + name + "' (expected even or odd)");
        }
    }

    /** How {@link #forward} evaluates the two passes (the results agree; the cost differs). */
    public enum ForwardMethod {
        /**
         * One pass: the context is computed from the latent rounded without means (noise in
         * training), so the anchors' quantization does not use their predicted means. Fastest.
         */
        ONEPASS,
        /** Two full-size passes; each half is quantized around its predicted means (STE). */
        TWOPASS,
        /** Two passes on the (H, W/2) halves: the same values with half the pointwise work. */
        TWOPASS_FASTER;

        /** Parses CompressAI's spelling ({@code "onepass"}, {@code "twopass"}, {@code "twopass_faster"}). */
        public static ForwardMethod of(String name) {
            for (ForwardMethod m : values()) {
                if (m.name().equalsIgnoreCase(name)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown forward method '" + name
                    + "' (expected onepass, twopass or twopass_faster)");
        }
    }

    private final LatentCodec y;
    private final ShapedLayer entropyParameters;
    private final ShapedLayer contextPrediction;
    private final Chunks chunks;
    private final AnchorParity parity;
    private final ForwardMethod forwardMethod;

    /**
     * A checkerboard codec that reads the Gaussian parameters' channel layout from its child: the
     * child's {@link GaussianConditionalLatentCodec#chunks()}, or {@link Chunks#SCALES_MEANS} for
     * any other child.
     *
     * @param y child codec of each half, given the Gaussian parameters as ctx
     * @param entropyParameters pointwise map of {@code cat(context, side params)} to Gaussian parameters
     * @param contextPrediction the checkerboard-masked convolution (anchors in, context out)
     * @param parity which positions are anchors
     * @param forwardMethod how {@link #forward} runs
     * @param parts whether this codec registers its parts as children
     */
    public CheckerboardLatentCodec(LatentCodec y, ShapedLayer entropyParameters, ShapedLayer contextPrediction,
            AnchorParity parity, ForwardMethod forwardMethod, Parts parts) {
        this(y, entropyParameters, contextPrediction,
                y instanceof GaussianConditionalLatentCodec g ? g.chunks() : Chunks.SCALES_MEANS, parity, forwardMethod,
                parts);
    }

    /**
     * @param y child codec of each half, given the Gaussian parameters as ctx
     * @param entropyParameters pointwise map of {@code cat(context, side params)} to Gaussian parameters
     * @param contextPrediction the checkerboard-masked convolution (anchors in, context out)
     * @param chunks channel layout of the Gaussian parameters, as the child splits them (the
     *     two-pass forwards quantize each half around its means)
     * @param parity which positions are anchors
     * @param forwardMethod how {@link #forward} runs
     * @param parts whether this codec registers its parts as children
     */
    public CheckerboardLatentCodec(LatentCodec y, ShapedLayer entropyParameters, ShapedLayer contextPrediction,
            Chunks chunks, AnchorParity parity, ForwardMethod forwardMethod, Parts parts) {
        super(parts);
        this.entropyParameters = part("entropy_parameters", entropyParameters);
        this.contextPrediction = part("context_prediction", contextPrediction);
        this.y = part("y", y);
        this.chunks = chunks;
        this.parity = parity;
        this.forwardMethod = forwardMethod;
    }

    public LatentCodec y() {
        return y;
    }

    public AnchorParity parity() {
        return parity;
    }

    public ForwardMethod forwardMethod() {
        return forwardMethod;
    }

    // ---- embed / unembed ------------------------------------------------------------------

    /**
     * Splits [B, C, H, W] into its anchor half and non-anchor half, each [B, C, H, W/2]: row r of
     * a half holds the columns of row r that belong to it, in order.
     */
    public static NDList unembed(NDArray x, AnchorParity parity) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(3) % 2 != 0) {
            throw new IllegalArgumentException(NAME + ": checkerboard halves need a [B, C, H, W] array with even W, got " + s);
        }
        int h = (int) s.get(2);
        NDArray evenRowsEvenCols = x.get("..., 0::2, 0::2");
        NDArray evenRowsOddCols = x.get("..., 0::2, 1::2");
        NDArray oddRowsEvenCols = x.get("..., 1::2, 0::2");
        NDArray oddRowsOddCols = x.get("..., 1::2, 1::2");
        // with even parity, anchors sit at even columns of even rows and odd columns of odd rows
        NDArray evenHalf = interleaveRows(evenRowsEvenCols, oddRowsOddCols, h);
        NDArray oddHalf = interleaveRows(evenRowsOddCols, oddRowsEvenCols, h);
        return parity == AnchorParity.EVEN ? new NDList(evenHalf, oddHalf) : new NDList(oddHalf, evenHalf);
    }

    /** Inverse of {@link #unembed}: combines the anchor and non-anchor halves into [B, C, H, W]. */
    public static NDArray embed(NDArray anchors, NDArray nonAnchors, AnchorParity parity) {
        Shape s = anchors.getShape();
        if (s.dimension() != 4 || !s.equals(nonAnchors.getShape())) {
            throw new IllegalArgumentException(NAME + ": checkerboard halves must be [B, C, H, W/2] arrays of the same shape, got "
                    + s + " and " + nonAnchors.getShape());
        }
        int h = (int) s.get(2);
        NDArray evenHalf = parity == AnchorParity.EVEN ? anchors : nonAnchors;
        NDArray oddHalf = parity == AnchorParity.EVEN ? nonAnchors : anchors;
        // even rows: even columns from the even half; odd rows: even columns from the odd half
        NDArray evenRows = interleaveCols(evenHalf.get("..., 0::2, :"), oddHalf.get("..., 0::2, :"));
        NDArray oddRows = h > 1 ? interleaveCols(oddHalf.get("..., 1::2, :"), evenHalf.get("..., 1::2, :")) : null;
        return oddRows == null ? evenRows : interleaveRows(evenRows, oddRows, h);
    }

    /** Rows 0, 2, 4, ... from {@code even} and rows 1, 3, ... from {@code odd} (h rows in all). */
    private static NDArray interleaveRows(NDArray even, NDArray odd, int h) {
        if (h == 1) {
            return even;
        }
        Shape e = even.getShape();
        NDArray o = odd;
        if (h % 2 == 1) {
            o = NDArrays.concat(new NDList(odd, odd.getManager().zeros(new Shape(e.get(0), e.get(1), 1, e.get(3)),
                    odd.getDataType())), 2);
        }
        NDArray stacked = NDArrays.stack(new NDList(even, o), 3).reshape(e.get(0), e.get(1), 2 * e.get(2), e.get(3));
        return h % 2 == 1 ? stacked.get("..., :" + h + ", :") : stacked;
    }

    /** Columns 0, 2, ... from {@code even} and 1, 3, ... from {@code odd}. */
    private static NDArray interleaveCols(NDArray even, NDArray odd) {
        Shape e = even.getShape();
        return NDArrays.stack(new NDList(even, odd), 4).reshape(e.get(0), e.get(1), e.get(2), 2 * e.get(3));
    }

    // ---- forward --------------------------------------------------------------------------

    @Override
    public ForwardOut forward(NDArray latent, @Nullable NDArray side) {
        Shape s = nchw(latent, "the latent", NAME);
        NDArray p = requireSide(side, s, "side parameters", NAME);
        try (ForwardScope scope = scope(latent.getManager(), latent, p)) {
            ForwardOut out = switch (forwardMethod) {
                case ONEPASS -> forwardOnepass(latent, p);
                case TWOPASS -> forwardTwopass(latent, p);
                case TWOPASS_FASTER -> forwardTwopassFaster(latent, p);
            };
            Map<String, NDArray> likelihoods = Map.of("y", scope.keep(out.likelihoods().get("y")));
            return new ForwardOut(likelihoods, scope.keep(out.yHat()));
        }
    }

    private ForwardOut forwardOnepass(NDArray latent, NDArray side) {
        EntropyModel.Mode mode = isTraining() ? EntropyModel.Mode.NOISE : EntropyModel.Mode.DEQUANTIZE;
        NDArray yHat = mode == EntropyModel.Mode.NOISE
                ? latent.add(latent.getManager().randomUniform(-0.5f, 0.5f, latent.getShape(), latent.getDataType()))
                : latent.round();
        NDArray ctx = contextPrediction.forward(yHat).mul(mask(latent, false));
        NDArray params = entropyParameters.forward(NDArrays.concat(new NDList(ctx, side), 1));
        ForwardOut out = y.forward(latent, params);
        return new ForwardOut(out.likelihoods(), yHat);
    }

    private ForwardOut forwardTwopass(NDArray latent, NDArray side) {
        NDArray anchorMask = mask(latent, true);
        NDArray nonAnchorMask = mask(latent, false);
        NDArray paramsA = entropyParameters.forward(NDArrays.concat(new NDList(zeroContext(latent), side), 1));
        NDArray yHatA = quantizeAroundMeans(latent.mul(anchorMask), paramsA.mul(anchorMask)).mul(anchorMask);
        NDArray paramsN = entropyParameters.forward(NDArrays.concat(new NDList(contextPrediction.forward(yHatA), side), 1));
        NDArray yHatN = quantizeAroundMeans(latent.mul(nonAnchorMask), paramsN.mul(nonAnchorMask)).mul(nonAnchorMask);
        NDArray params = paramsA.mul(anchorMask).add(paramsN.mul(nonAnchorMask));
        ForwardOut out = y.forward(latent, params);
        return new ForwardOut(out.likelihoods(), yHatA.add(yHatN));
    }

    private ForwardOut forwardTwopassFaster(NDArray latent, NDArray side) {
        NDList ys = unembed(latent, parity);
        NDList sides = unembed(side, parity);
        NDArray paramsA = entropyParameters.forward(NDArrays.concat(new NDList(zeroContext(ys.get(0)), sides.get(0)), 1));
        NDArray yHatA = quantizeAroundMeans(ys.get(0), paramsA);
        NDArray ctx = contextPrediction.forward(embed(yHatA, yHatA.zerosLike(), parity));
        NDArray paramsN = entropyParameters.forward(NDArrays.concat(new NDList(unembed(ctx, parity).get(1), sides.get(1)), 1));
        NDArray yHatN = quantizeAroundMeans(ys.get(1), paramsN);
        ForwardOut out = y.forward(latent, embed(paramsA, paramsN, parity));
        return new ForwardOut(out.likelihoods(), embed(yHatA, yHatN, parity));
    }

    /** {@code round(y - means) + means} with a straight-through gradient (plain STE rounding without means). */
    private NDArray quantizeAroundMeans(NDArray latent, NDArray params) {
        NDArray means = means(params);
        return EntropyModel.quantizeSte(latent, means);
    }

    private @Nullable NDArray means(NDArray params) {
        return switch (chunks) {
            case SCALES -> null;
            case SCALES_MEANS -> params.split(2, 1).get(1);
            case MEANS_SCALES -> params.split(2, 1).get(0);
        };
    }

    /** Zeros with the context's channels: the anchors' context. */
    private NDArray zeroContext(NDArray like) {
        Shape s = like.getShape();
        return zeroContext(like.getManager(), s.get(0), s.get(1), s.get(2), s.get(3));
    }

    private NDArray zeroContext(NDManager m, long batch, long channels, long h, long w) {
        return m.zeros(new Shape(batch, contextPrediction.outChannels((int) channels), h, w));
    }

    /** [1, 1, H, W] with 1 at the anchors ({@code anchors}) or at the non-anchors. */
    private NDArray mask(NDArray like, boolean anchors) {
        int h = (int) like.getShape().get(2);
        int w = (int) like.getShape().get(3);
        int anchorParity = parity == AnchorParity.EVEN ? 0 : 1;
        float[] m = new float[h * w];
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                boolean anchor = (r + c) % 2 == anchorParity;
                m[r * w + c] = anchor == anchors ? 1f : 0f;
            }
        }
        // Masks are saved by the products that use them and outlive this handle (the forward scope closes it).
        return Scalars.copyOf(like.getManager(), m, new Shape(1, 1, h, w));
    }

    // ---- compress / decompress ------------------------------------------------------------

    @Override
    public CompressOut compress(NDArray latent, @Nullable NDArray side) {
        Shape s = nchw(latent, "the latent", NAME);
        NDArray p = requireSide(side, s, "side parameters", NAME);
        NDManager caller = latent.getManager();
        try (ForwardScope scope = scope(caller, latent, p)) {
            NDList ys = unembed(latent, parity);
            NDList sides = unembed(p, parity);
            List<List<byte[]>> strings = new ArrayList<>();
            NDArray paramsA = entropyParameters.forward(NDArrays.concat(new NDList(zeroContext(ys.get(0)), sides.get(0)), 1));
            CompressOut a = y.compress(ys.get(0), paramsA);
            strings.add(single(a.strings()));
            NDArray paramsN = entropyParameters.forward(
                    NDArrays.concat(new NDList(nonAnchorContext(a.yHat()), sides.get(1)), 1));
            CompressOut n = y.compress(ys.get(1), paramsN);
            strings.add(single(n.strings()));
            NDArray yHat = scope.keep(embed(a.yHat(), n.yHat(), parity));
            return new CompressOut(strings, list((int) s.get(1), (int) s.get(2), (int) s.get(3)), yHat);
        }
    }

    @Override
    public NDArray decompress(NDManager manager, List<List<byte[]>> strings, Object shape, @Nullable NDArray side) {
        if (side == null) {
            throw new IllegalArgumentException(NAME + ": side parameters are required");
        }
        Shape ps = nchw(side, "the side parameters", NAME);
        int[] chw = sizes(shape, 3, NAME);
        if (strings.size() != 2) {
            throw new IllegalArgumentException(NAME + ": expected 2 streams (anchors, non-anchors), got " + strings.size());
        }
        checkBatch(strings, (int) ps.get(0), NAME);
        if (ps.get(2) != chw[1] || ps.get(3) != chw[2]) {
            throw new IllegalArgumentException(NAME + ": side parameters " + ps + " do not match the latent size "
                    + chw[1] + "x" + chw[2]);
        }
        List<Integer> half = List.of(chw[1], chw[2] / 2);
        try (ForwardScope scope = scope(manager, side)) {
            NDManager sm = scope.manager();
            NDList sides = unembed(side, parity);
            NDArray paramsA = entropyParameters.forward(NDArrays.concat(new NDList(
                    zeroContext(sm, ps.get(0), chw[0], chw[1], chw[2] / 2), sides.get(0)), 1));
            NDArray yHatA = y.decompress(sm, List.of(strings.get(0)), half, paramsA);
            NDArray paramsN = entropyParameters.forward(NDArrays.concat(new NDList(nonAnchorContext(yHatA), sides.get(1)), 1));
            NDArray yHatN = y.decompress(sm, List.of(strings.get(1)), half, paramsN);
            if (yHatA.getShape().get(1) != chw[0]) {
                throw new IllegalArgumentException(NAME + ": decoded " + yHatA.getShape().get(1) + " channels, shape says " + chw[0]);
            }
            return scope.keep(embed(yHatA, yHatN, parity));
        }
    }

    /** The non-anchor half of the context computed from the decoded anchors. */
    private NDArray nonAnchorContext(NDArray anchorsHat) {
        NDArray full = embed(anchorsHat, anchorsHat.zerosLike(), parity);
        return unembed(contextPrediction.forward(full), parity).get(1);
    }

    private static List<byte[]> single(List<List<byte[]>> strings) {
        if (strings.size() != 1) {
            throw new IllegalArgumentException(NAME + ": the child codec must give 1 stream per half, got " + strings.size());
        }
        return strings.get(0);
    }
}
