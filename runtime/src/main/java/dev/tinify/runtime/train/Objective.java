package dev.tinify.runtime.train;

import ai.djl.ndarray.NDManager;

/**
 * What a {@link Trainer} trains on and how the model's loss of it is computed: patches of images
 * through an image model ({@link ImageObjective}) or groups of frames through a video model
 * ({@link ClipObjective}). The trainer owns everything else (optimizers, clipping, the auxiliary
 * step, schedule and checkpoints).
 */
interface Objective {
    /** Loads the inputs of step {@code step} (a function of the step only, so a resumed run sees the same). */
    void sample(long step);

    /**
     * The model's loss on the inputs last sampled, in training mode; arrays are created in
     * {@code sub}, which has the model's arrays attached. {@code seed} is the run's seed.
     */
    RateDistortionLoss.Terms forward(long step, long seed, NDManager sub);

    /** How many validation items there are (0: the schedule uses the training loss). */
    int validationItems();

    /** The loss of validation item {@code item}, in evaluation mode; arrays in {@code sub}. */
    RateDistortionLoss.Terms validate(int item, NDManager sub);
}
