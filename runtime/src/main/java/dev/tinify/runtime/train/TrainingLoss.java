package dev.tinify.runtime.train;

import ai.djl.ndarray.NDArray;
import dev.tinify.runtime.model.CompressionModel;
import java.util.Map;
import java.util.function.Function;

/**
 * What a {@link Trainer} minimizes on a model's forward pass: a rate term from the latents'
 * likelihoods plus weighted distortions, {@link RateDistortionLoss} for images,
 * {@link ChamferRateLoss} for point clouds, {@link DensityRateLoss} for density-preserving
 * point-cloud models, whose loss also reads what their modules computed inside the pass.
 */
public interface TrainingLoss {
    /** The loss of {@code forward} (the model's forward pass, results in {@code x}'s manager) on {@code x}. */
    RateDistortionLoss.Terms evaluate(NDArray x, Function<NDArray, CompressionModel.ForwardResult> forward);

    /** A loss of the reconstruction and the likelihoods alone. */
    interface OfOutput extends TrainingLoss {
        /** The loss of a reconstruction {@code xHat} of {@code x} whose latents have {@code likelihoods}. */
        RateDistortionLoss.Terms compute(NDArray x, NDArray xHat, Map<String, NDArray> likelihoods);

        @Override
        default RateDistortionLoss.Terms evaluate(NDArray x, Function<NDArray, CompressionModel.ForwardResult> forward) {
            CompressionModel.ForwardResult out = forward.apply(x);
            return compute(x, out.xHat(), out.likelihoods());
        }
    }
}
