package dev.tinify.runtime.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.ops.Scalars;
import dev.tinify.runtime.pointcloud.DensityDecoder;
import dev.tinify.runtime.pointcloud.DensityTrace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The loss of He et al.'s density-preserving point-cloud model (CompressAI's
 * {@code RateDistortionLoss_hrtzxf2022}), for a model with a {@code density_decoder}: from what its
 * encoder and decoder computed in the forward pass ({@link DensityTrace}), with L levels,
 *
 * <pre>
 *  bpp                                            bits per input point, as {@link ChamferRateLoss}
 *  + lambda · Σ_i w_i · chamfer(gt_i, hat_{L-1-i})  the encoder's cloud before down-sampling i against
 *                                                 the decoder's matching level; w = 1 for the input
 *                                                 cloud, 0.1 for the others
 *  + 100 · MSE(latent points, decoder's input)    the latent points' reconstruction
 *  + 50 · Σ_i L1(predicted mean distances, the encoder's)
 *  + 1 · Σ_i L1(predicted counts, the encoder's group sizes)
 *  + 0.005 · Σ_i |Σ predicted counts − B · n_i|    the points each level should make
 * </pre>
 *
 * A decoder level's counts and mean distances belong to its input points; they are compared
 * with the group of the encoder's centroid nearest to each (the latent level's directly, point
 * for point). CompressAI's default weights; {@code lambda} is its Chamfer weight (1e4 there). The
 * reported distortion ({@code mse}) is the Chamfer distance of the input and the reconstruction.
 * The decoder's count networks learn from the last three terms alone: the count they predict is
 * rounded before it selects points, so no Chamfer distance reaches them.
 */
public final class DensityRateLoss implements TrainingLoss {
    private static final float FIRST_LEVEL = 1f;
    private static final float OTHER_LEVELS = 0.1f;
    private static final float LATENT = 1e2f;
    private static final float MEAN_DISTANCE = 5e1f;
    private static final float COUNTS = 1f;
    private static final float POINTS = 5e-3f;

    private final double lambda;

    /** @param lambda the weight of the Chamfer distances */
    public DensityRateLoss(double lambda) {
        if (!(lambda > 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("lambda must be positive and finite, got " + lambda);
        }
        this.lambda = lambda;
    }

    /** Whether {@code model} has a density-preserving decoder, whose count networks this loss trains. */
    public static boolean fits(Module model) {
        if (model instanceof DensityDecoder) {
            return true;
        }
        for (Module child : model.children().values()) {
            if (fits(child)) {
                return true;
            }
        }
        return false;
    }

    /** Runs {@code forward} with a {@link DensityTrace} open and computes the loss from it. */
    @Override
    public RateDistortionLoss.Terms evaluate(NDArray x, Function<NDArray, CompressionModel.ForwardResult> forward) {
        try (DensityTrace trace = DensityTrace.open(x.getManager())) {
            CompressionModel.ForwardResult out = forward.apply(x);
            return compute(x, out.likelihoods(), trace);
        }
    }

    /** The loss of input {@code x} [B, P, 3] whose latents have {@code likelihoods}, from a forward pass's trace. */
    RateDistortionLoss.Terms compute(NDArray x, Map<String, NDArray> likelihoods, DensityTrace trace) {
        List<DensityTrace.EncoderLevel> enc = trace.encoder();
        List<DensityTrace.DecoderLevel> dec = trace.decoder();
        NDArray decoderInput = trace.decoderInput();
        int levels = enc.size();
        if (levels == 0 || dec.size() != levels || decoderInput == null) {
            throw new IllegalStateException("the density loss needs as many decoder levels as down-sampling layers; the forward pass "
                    + "recorded " + levels + " down-sampling layers and " + dec.size() + " decoder levels");
        }
        Shape s = x.getShape();
        long b = s.get(0);
        NDArray bpp = RateDistortionLoss.bitsPer(likelihoods, (double) b * s.get(1));
        List<NDArray> chamfers = new ArrayList<>();
        List<int[]> nearest = new ArrayList<>();
        for (int i = 0; i < levels; i++) {
            NDArray gt = enc.get(i).xyz().transpose(0, 2, 1);
            NDArray hat = dec.get(levels - 1 - i).xyz().transpose(0, 2, 1);
            NDArray d = ChamferRateLoss.squaredDistances(gt, hat);
            chamfers.add(d.min(new int[] {2}).mean().add(d.min(new int[] {1}).mean()));
            nearest.add(toInts(d.argMin(1)));
        }
        NDArray chamferLevels = Scalars.mul(chamfers.get(0), FIRST_LEVEL);
        for (int i = 1; i < levels; i++) {
            chamferLevels = chamferLevels.add(Scalars.mul(chamfers.get(i), OTHER_LEVELS));
        }
        NDArray meanDistance = null;
        NDArray counts = null;
        NDArray points = null;
        for (int i = 0; i < levels; i++) {
            DensityTrace.DecoderLevel d = dec.get(levels - 1 - i);
            DensityTrace.EncoderLevel e = enc.get(i);
            NDArray gtDistances = i == levels - 1 ? e.meanDistances() : nearestOf(e.meanDistances(), nearest.get(i + 1), b);
            NDArray gtCounts = i == levels - 1 ? e.counts() : nearestOf(e.counts(), nearest.get(i + 1), b);
            NDArray l1Distance = d.meanDistances().sub(gtDistances).abs().mean();
            NDArray l1Count = d.counts().sub(gtCounts).abs().mean();
            NDArray made = d.counts().sum().sub((float) (b * e.xyz().getShape().get(2))).abs();
            meanDistance = meanDistance == null ? l1Distance : meanDistance.add(l1Distance);
            counts = counts == null ? l1Count : counts.add(l1Count);
            points = points == null ? made : points.add(made);
        }
        NDArray latent = enc.get(levels - 1).centroids().sub(decoderInput).square().mean();
        Map<String, NDArray> parts = new LinkedHashMap<>();
        parts.put("chamfer_levels", chamferLevels);
        parts.put("latent_xyz", latent);
        parts.put("mean_distance", meanDistance);
        parts.put("upsample_num", counts);
        parts.put("pts_num", points);
        NDArray loss = bpp.add(Scalars.mul(chamferLevels, (float) lambda))
                .add(Scalars.mul(latent, LATENT))
                .add(Scalars.mul(meanDistance, MEAN_DISTANCE))
                .add(Scalars.mul(counts, COUNTS))
                .add(Scalars.mul(points, POINTS));
        return new RateDistortionLoss.Terms(loss, bpp, chamfers.get(0), null, parts);
    }

    /** {@code values} [B, m] (constants) at the given index of each batch item ([B · n] in all): [B, n]. */
    private static NDArray nearestOf(NDArray values, int[] index, long b) {
        float[] v = values.toFloatArray();
        int m = (int) (v.length / b);
        int n = (int) (index.length / b);
        float[] out = new float[index.length];
        for (int bi = 0; bi < b; bi++) {
            for (int j = 0; j < n; j++) {
                out[bi * n + j] = v[bi * m + index[bi * n + j]];
            }
        }
        NDManager manager = values.getManager();
        return Scalars.copyOf(manager, out, new Shape(b, n));
    }

    private static int[] toInts(NDArray indices) {
        long[] l = indices.toLongArray();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = Math.toIntExact(l[i]);
        }
        return out;
    }
}
