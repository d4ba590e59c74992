package dev.tinify.runtime.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.ops.Scalars;
import java.util.Map;

/**
 * CompressAI's {@code ChamferPccRateDistortionLoss}, the loss the point-cloud papers train with:
 * {@code bpp + lambda * chamfer}, where bpp is the likelihoods' estimated bits per input point
 * ({@code sum(log(p)) / (-ln 2 * B * P)} over every latent) and chamfer is pytorch3d's Chamfer
 * distance between the [B, P, 3] input and the [B, P', 3] reconstruction: the mean squared
 * distance from each point to its nearest point in the other cloud, both ways, summed (means over
 * points, then over the batch).
 */
public final class ChamferRateLoss implements TrainingLoss.OfOutput {
    private final double lambda;

    public ChamferRateLoss(double lambda) {
        if (!(lambda > 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("lambda must be positive and finite, got " + lambda);
        }
        this.lambda = lambda;
    }

    /**
     * The Chamfer distance of two batches of clouds, a scalar in {@code a}'s manager.
     */
    public static NDArray chamfer(NDArray a, NDArray b) {
        try (NDArray d = squaredDistances(a, b);
                NDArray toB = d.min(new int[] {2});
                NDArray toA = d.min(new int[] {1});
                NDArray meanToB = toB.mean();
                NDArray meanToA = toA.mean()) {
            return meanToB.add(meanToA);
        }
    }

    /**
     * The squared distances [B, P, P'] between the points of [B, P, 3] clouds {@code a} and
     * [B, P', 3] clouds {@code b}, from {@code |a|^2 + |b|^2 - 2 a.b} (one [B, P, P'] array, not a
     * [B, P, P', 3] difference), clamped at 0 against rounding.
     */
    static NDArray squaredDistances(NDArray a, NDArray b) {
        Shape sa = a.getShape();
        Shape sb = b.getShape();
        if (sa.dimension() != 3 || sb.dimension() != 3 || sa.get(2) != 3 || sb.get(2) != 3 || sa.get(0) != sb.get(0)) {
            throw new IllegalArgumentException("the Chamfer distance compares [B, P, 3] clouds, got " + sa + " and " + sb);
        }
        try (NDArray aa = a.square().sum(new int[] {2}, true);
                NDArray bb = b.square().sum(new int[] {2}).reshape(sb.get(0), 1, sb.get(1));
                NDArray ab = a.matMul(b.transpose(0, 2, 1));
                NDArray sum = aa.add(bb);
                NDArray twice = Scalars.mul(ab, 2f);
                NDArray diff = sum.sub(twice)) {
            return Scalars.maximum(diff, 0f);
        }
    }

    /**
     * Terms with {@code mse} holding the Chamfer distance (the distortion a point-cloud run
     * reports) and no MS-SSIM.
     */
    @Override
    public RateDistortionLoss.Terms compute(NDArray x, NDArray xHat, Map<String, NDArray> likelihoods) {
        Shape s = x.getShape();
        NDArray bpp = RateDistortionLoss.bitsPer(likelihoods, (double) s.get(0) * s.get(1));
        NDArray chamfer = chamfer(x, xHat);
        try (NDArray weighted = Scalars.mul(chamfer, (float) lambda)) {
            return new RateDistortionLoss.Terms(weighted.add(bpp), bpp, chamfer, null);
        }
    }
}
