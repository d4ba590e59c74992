package dev.tinify.runtime.train;

import dev.tinify.dsl.Metric;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.tinify.dsl.Spec;
import dev.tinify.dsl.Zoo;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import dev.tinify.runtime.ops.Scalars;

/**
 * CompressAI's {@code RateDistortionLoss}: {@code lambda * 255^2 * MSE + bpp} for the MSE metric,
 * {@code lambda * (1 - MS-SSIM) + bpp} for MS-SSIM, where bpp is the likelihoods' estimated rate
 * {@code sum(log(p)) / (-ln 2 * B * H * W)} summed over every latent. The reconstruction is not
 * clamped, as in CompressAI's training.
 */
public final class RateDistortionLoss implements TrainingLoss.OfOutput {
    /**
     * The terms of one evaluation, scalars in the input's manager.
     *
     * @param loss the loss to minimize
     * @param bpp estimated bits per pixel (per point for a point cloud)
     * @param mse mean squared error on the [0, 1] scale (reported for PSNR under either metric); for a
     *     point cloud ({@link ChamferRateLoss}) the Chamfer distance
     * @param msSsim MS-SSIM, only under the MS-SSIM metric
     * @param parts further named terms a loss reports (logged by name; {@link DensityRateLoss}'s)
     */
    public record Terms(NDArray loss, NDArray bpp, NDArray mse, @Nullable NDArray msSsim, Map<String, NDArray> parts) {
        public Terms {
            parts = Collections.unmodifiableMap(new LinkedHashMap<>(parts));
        }

        /** Terms without further parts. */
        public Terms(NDArray loss, NDArray bpp, NDArray mse, @Nullable NDArray msSsim) {
            this(loss, bpp, mse, msSsim, Map.of());
        }
    }

    private final Metric metric;
    private final double lambda;

    public RateDistortionLoss(Metric metric, double lambda) {
        if (!(lambda > 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("lambda must be positive and finite, got " + lambda);
        }
        this.metric = metric;
        this.lambda = lambda;
    }

    public Metric metric() {
        return metric;
    }

    public double lambda() {
        return lambda;
    }

    /**
     * The training lambda of {@code quality} (1 = lowest) for {@code metric}, from the spec's zoo
     * section.
     *
     * @throws IllegalArgumentException if the spec has no zoo lambdas for the metric or no such quality
     */
    public static double lambda(Spec spec, Metric metric, int quality) {
        Zoo zoo = spec.zoo();
        if (zoo == null) {
            throw new IllegalArgumentException(spec.name() + ": the spec has no zoo section, so no lambda per quality; give lambda explicitly");
        }
        List<Double> table = zoo.lambdas().get(metric.id());
        if (table == null || table.isEmpty()) {
            throw new IllegalArgumentException(spec.name() + ": the spec's zoo lists no lambda for metric " + metric.id()
                    + " (it has " + zoo.lambdas().keySet() + ")");
        }
        if (quality < 1 || quality > table.size()) {
            throw new IllegalArgumentException(spec.name() + ": quality " + quality + " has no " + metric.id()
                    + " lambda; expected 1.." + table.size());
        }
        return table.get(quality - 1);
    }

    /**
     * Estimated bits per pixel of a [B, 3, H, W] input from the likelihoods of its latents: the sum
     * over latents of {@code sum(log(p)) / (-ln 2 * B * H * W)}, a scalar in the likelihoods' manager.
     */
    public static NDArray bpp(Map<String, NDArray> likelihoods, Shape input) {
        return bitsPer(likelihoods, (double) input.get(0) * input.get(2) * input.get(3));
    }

    /**
     * The likelihoods' estimated bits, summed over every latent, divided by {@code units} (pixels
     * or points of the whole batch): a scalar in the likelihoods' manager.
     */
    public static NDArray bitsPer(Map<String, NDArray> likelihoods, double units) {
        if (likelihoods.isEmpty()) {
            throw new IllegalArgumentException("the rate needs at least one likelihood tensor");
        }
        double pixels = units;
        float scale = (float) (-Math.log(2) * pixels);
        NDArray total = null;
        for (NDArray l : likelihoods.values()) {
            NDArray bits;
            try (NDArray log = l.log(); NDArray sum = log.sum()) {
                bits = Scalars.div(sum, scale);
            }
            if (total == null) {
                total = bits;
            } else {
                NDArray t = total.add(bits);
                total.close();
                bits.close();
                total = t;
            }
        }
        return total;
    }

    @Override
    public Terms compute(NDArray x, NDArray xHat, Map<String, NDArray> likelihoods) {
        NDArray bpp = bpp(likelihoods, x.getShape());
        NDArray mse;
        try (NDArray d = xHat.sub(x); NDArray sq = d.square()) {
            mse = sq.mean();
        }
        NDArray msSsim = null;
        NDArray distortion;
        if (metric == Metric.MSE) {
            distortion = Scalars.mul(mse, (float) (lambda * 255 * 255));
        } else {
            msSsim = MsSsimLoss.of(xHat, x);
            try (NDArray oneMinus = msSsim.neg().add(1f)) {
                distortion = Scalars.mul(oneMinus, (float) lambda);
            }
        }
        try (distortion) {
            return new Terms(distortion.add(bpp), bpp, mse, msSsim);
        }
    }
}
