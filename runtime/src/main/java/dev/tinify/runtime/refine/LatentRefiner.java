package dev.tinify.runtime.refine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.tinify.runtime.entropy.EntropyModel;
import dev.tinify.runtime.entropy.SurrogateRounding;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.nn.Param;
import dev.tinify.runtime.ops.Autograd;
import dev.tinify.runtime.ops.GradientCut;
import dev.tinify.runtime.train.Adam;
import dev.tinify.runtime.train.RateDistortionLoss;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Encoder-side refinement of a latent: starting from {@code y = g_a(x)}, Adam steps on {@code y}
 * lower the rate-distortion loss of this one image, {@code lambda * D(x, clamp(g_s(y_hat))) +
 * bpp}, with the distortion in the metric the weights were trained for and the rate from the
 * latent codec's likelihoods, both over the image without its padding. The weights stay frozen;
 * the gradient passes through the synthesis transform and the entropy model, with rounding
 * replaced by a {@link Refinement.Method} stand-in. A hyperprior's {@code z} is not a free
 * variable: the latent codec computes it from {@code y} at every step as it does when coding, so
 * the refined {@code y} is coded by the model's own {@link CompressionModel#compressLatent} and
 * the bitstream is an ordinary one for every latent codec.
 *
 * <p>The loss with hard rounding (what is coded) is compared before and after: if refinement did
 * not lower it, the analysis transform's latent is returned. Every array of a step lives in a
 * manager closed with the step, so memory stays flat over the steps.
 */
public final class LatentRefiner {
    /** Seed of the SGA noise: the same image and model always give the same bytes. */
    private static final long SEED = 2020L;

    /**
     * A refined latent.
     *
     * @param y the latent to code, in the input's manager (the caller closes it)
     * @param initialLoss the rate-distortion loss of {@code g_a(x)} with rounding (NaN for 0 steps)
     * @param loss the loss of {@code y} with rounding (NaN for 0 steps)
     */
    public record Result(NDArray y, double initialLoss, double loss) {}

    private final CompressionModel model;
    private final RateDistortionLoss objective;
    private final Refinement refinement;

    /**
     * A refiner for {@code model} (fixed-rate, in evaluation mode) minimizing {@code objective},
     * the model's own lambda and metric.
     */
    public LatentRefiner(CompressionModel model, RateDistortionLoss objective, Refinement refinement) {
        this.model = model;
        this.objective = objective;
        this.refinement = refinement;
    }

    /**
     * The latent to code for {@code x} [1, 3, H, W], already padded by {@code padding} to the
     * model's stride: {@code g_a(x)} refined for {@link Refinement#steps()} steps.
     */
    public Result refine(NDArray x, Padding padding) {
        NDManager caller = x.getManager();
        if (!refinement.enabled()) {
            return new Result(model.analysis(x), Double.NaN, Double.NaN);
        }
        try (NDManager work = caller.newSubManager()) {
            NDArray y0 = model.analysis(x);
            y0.attach(work);
            NDArray image = crop(x, padding);
            image.attach(work);
            double initial = roundedLoss(y0, image, padding, work);
            NDArray y = y0.duplicate();
            y.attach(work);
            // A parameter to the training optimizer, which makes it require a gradient.
            Param latent = new Param("y", Param.Kind.PARAMETER, y);
            SplittableRandom random = new SplittableRandom(SEED);
            try (Adam adam = new Adam(work, Map.of("y", latent), refinement.learningRate())) {
                for (int t = 0; t < refinement.steps(); t++) {
                    step(adam, y, image, padding, rounding(t, random), work);
                }
            }
            NDArray refined = y.stopGradient();
            refined.attach(work);
            double loss = roundedLoss(refined, image, padding, work);
            NDArray best = loss <= initial ? refined : y0;
            best.attach(caller);
            return new Result(best, initial, Math.min(loss, initial));
        }
    }

    private SurrogateRounding rounding(int step, SplittableRandom random) {
        return switch (refinement.method()) {
            case SGA -> new SgaRounding(SgaRounding.temperature(step, refinement.steps()), random);
            case STE -> EntropyModel::quantizeSte;
        };
    }

    /** One optimizer step: forward with the surrogate rounding, backward to {@code y}, Adam. */
    private void step(Adam adam, NDArray y, NDArray image, Padding padding, SurrogateRounding rounding, NDManager work) {
        try (NDManager step = work.newSubManager()) {
            step.tempAttachAll(new NDList(y, image));
            JniUtils.zeroGrad((PtNDArray) y);
            try (Autograd.Recording r = Autograd.record();
                    GradientCut cut = GradientCut.open(step);
                    SurrogateRounding.Scope s = SurrogateRounding.open(rounding)) {
                cut.backward(loss(image, model.forwardLatent(y), padding));
            }
            try (NDArray grad = adam.gradients(step)) {
                adam.step(grad);
            }
        }
    }

    /** The loss of {@code y} as it would be coded (rounded), without recording. */
    private double roundedLoss(NDArray y, NDArray image, Padding padding, NDManager work) {
        try (NDManager m = work.newSubManager()) {
            m.tempAttachAll(new NDList(y, image));
            return loss(image, model.forwardLatent(y), padding).getFloat();
        }
    }

    private NDArray loss(NDArray image, CompressionModel.ForwardResult out, Padding padding) {
        try (NDArray cropped = crop(out.xHat(), padding); NDArray xHat = cropped.clip(0f, 1f)) {
            return objective.compute(image, xHat, out.likelihoods()).loss();
        }
    }

    /** The image without its padding (a view). */
    private static NDArray crop(NDArray x, Padding p) {
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        return x.get(new NDIndex().addAllDim().addAllDim().addSliceDim(p.top(), h - p.bottom()).addSliceDim(p.left(), w - p.right()));
    }
}
