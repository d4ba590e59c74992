package dev.tinify.runtime.train;

import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;

/**
 * Where a {@link Trainer}'s batches come from, as a pure function of (seed, sample number):
 * image patches ({@link PatchSampler}) or point clouds ({@link CloudSampler}).
 */
interface TrainingSamples {
    /** Floats of one sample. */
    int floatsPerSample();

    /** The shape of a batch of {@code count} samples. */
    Shape shape(int count);

    /** Writes samples {@code first .. first + count - 1} in row-major float order into {@code out}, from its index 0. */
    void batch(long first, int count, FloatBuffer out);
}
