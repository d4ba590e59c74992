package dev.tinify.runtime.train;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * What a {@link Trainer} minimizes: a rate term from the latents' likelihoods plus a weighted
 * distortion of the reconstruction, {@link RateDistortionLoss} for images, {@link ChamferRateLoss}
 * for point clouds.
 */
public interface TrainingLoss {
    /** The loss of a reconstruction {@code xHat} of {@code x} whose latents have {@code likelihoods}. */
    RateDistortionLoss.Terms compute(NDArray x, NDArray xHat, Map<String, NDArray> likelihoods);
}
