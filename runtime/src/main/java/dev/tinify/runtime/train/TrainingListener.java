package dev.tinify.runtime.train;

import java.nio.file.Path;
import java.util.Map;

/**
 * Receives a {@link Trainer}'s progress on the training thread (a progress bar, a log). Methods
 * should return quickly.
 */
public interface TrainingListener {
    /**
     * One optimizer step done.
     *
     * @param step steps done so far (1 after the first)
     * @param totalSteps the run's target
     * @param loss rate-distortion loss of the batch
     * @param bpp estimated bits per pixel (per point for a point-cloud model)
     * @param mse mean squared error on the [0, 1] scale; for a point-cloud model the Chamfer distance
     * @param psnr PSNR in dB from {@code mse}; NaN for a point-cloud model
     * @param msSsim MS-SSIM of the batch under the MS-SSIM metric, else NaN
     * @param auxLoss auxiliary (quantile) loss
     * @param gradNorm global norm of the net gradients before clipping
     * @param learningRate current net learning rate
     * @param stepsPerSecond training speed of this run so far (validation and checkpoints excluded)
     * @param parts further terms of the loss by name, in the loss's order (none for most losses)
     */
    record Step(long step, long totalSteps, double loss, double bpp, double mse, double psnr, double msSsim, double auxLoss,
                double gradNorm, double learningRate, double stepsPerSecond, Map<String, Double> parts) {}

    /**
     * One validation (after {@code update(force=true)}, model in evaluation mode).
     *
     * @param loss mean loss over the validation images (or the mean training loss since the last one
     *     when there is no validation set, with the other fields NaN)
     * @param learningRate net learning rate after the plateau schedule saw {@code loss}
     */
    record Validation(long step, double loss, double bpp, double psnr, double msSsim, double learningRate) {}

    default void onStep(Step s) {}

    default void onValidation(Validation v) {}

    /** A checkpoint was written; {@code file} is its JSON state file (what {@code resume} takes). */
    default void onCheckpoint(long step, Path file) {}
}
