package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.nn.Param;
import dev.tinify.runtime.ops.Scalars;
import java.util.Arrays;

/**
 * Batch normalization over [B, C, ...] ({@code nn.BatchNorm1d} on [B, C, P], {@code nn.BatchNorm2d}
 * on [B, C, H, W], eps 1e-5, momentum 0.1), as PyTorch runs it in its two modes:
 * <ul>
 *   <li>evaluation: the running statistics, {@code (x − running_mean) / sqrt(running_var + eps) ·
 *       weight + bias};
 *   <li>training ({@link #isTraining}): the statistics of the batch (mean and biased
 *       variance over every axis but the channels, gradients flowing through both), and the
 *       running statistics move towards them: {@code running ← 0.9·running + 0.1·batch}, with the
 *       unbiased variance ({@code n/(n−1)}), and {@code num_batches_tracked} counts the batch.
 * </ul>
 * Keys {@code weight}, {@code bias}, {@code running_mean}, {@code running_var} and {@code
 * num_batches_tracked} (int32, as the reference fixtures store it).
 */
public final class BatchNorm extends FixedChannelsLayer {
    private static final float EPS = 1e-5f;
    private static final float MOMENTUM = 0.1f;

    private final Param weight;
    private final Param bias;
    private final Param runningMean;
    private final Param runningVar;
    private final Param batches;

    public BatchNorm(NDManager manager, int channels) {
        super(channels);
        if (channels <= 0) {
            throw new IllegalArgumentException("BatchNorm needs a positive channel count, got " + channels);
        }
        this.weight = parameter("weight", manager.ones(new Shape(channels)));
        this.bias = parameter("bias", manager.zeros(new Shape(channels)));
        this.runningMean = buffer("running_mean", manager.zeros(new Shape(channels)));
        this.runningVar = buffer("running_var", manager.ones(new Shape(channels)));
        this.batches = buffer("num_batches_tracked", manager.create(0));
    }

    @Override
    public NDArray forward(NDArray x) {
        int dims = x.getShape().dimension();
        if (dims < 3 || x.getShape().get(1) != in) {
            throw inputError("expects [B, " + in + ", ...], got " + x.getShape(), "num_features equal to the input's channels");
        }
        long[] view = new long[dims];
        Arrays.fill(view, 1);
        view[1] = in;
        if (isTraining()) {
            return batchStatistics(x, view);
        }
        // PyTorch's CPU kernel folds the statistics into one scale and shift per channel.
        try (NDArray invStd = runningVar.value().add(EPS).sqrt().pow(-1);
                NDArray scale = weight.value().mul(invStd);
                NDArray shift = bias.value().sub(runningMean.value().mul(scale));
                NDArray s = scale.reshape(view);
                NDArray t = shift.reshape(view);
                NDArray scaled = x.mul(s)) {
            return scaled.add(t);
        }
    }

    private NDArray batchStatistics(NDArray x, long[] view) {
        long n = x.getShape().size() / in;
        if (n < 2) {
            throw inputError("needs more than one value per channel in training, got " + x.getShape(), "a batch of several items or points");
        }
        try (NDArray mean = channelMean(x, view);
                NDArray centred = x.sub(mean);
                NDArray squares = centred.square();
                NDArray var = channelMean(squares, view);
                NDArray invStd = Scalars.pow(var.add(EPS).sqrt(), -1f);
                NDArray normed = centred.mul(invStd);
                NDArray w = weight.value().reshape(view);
                NDArray b = bias.value().reshape(view);
                NDArray scaled = normed.mul(w)) {
            updateRunning(mean, var, n);
            return scaled.add(b);
        }
    }

    /** The mean of each channel over every other axis, shaped {@code view} (the engine reduces one axis at a time). */
    private NDArray channelMean(NDArray x, long[] view) {
        try (NDArray channelsFirst = x.swapAxes(0, 1);
                NDArray rows = channelsFirst.reshape(in, -1);
                NDArray mean = rows.mean(new int[] {1})) {
            return mean.reshape(view);
        }
    }

    /** Moves the running statistics towards the batch's, outside the recorded graph. */
    private void updateRunning(NDArray mean, NDArray var, long n) {
        try (NDArray m = mean.stopGradient().reshape(in);
                NDArray v = var.stopGradient().reshape(in);
                NDArray unbiased = v.mul((float) n / (n - 1));
                NDArray mStep = m.mul(MOMENTUM);
                NDArray vStep = unbiased.mul(MOMENTUM)) {
            runningMean.value().muli(1 - MOMENTUM).addi(mStep);
            runningVar.value().muli(1 - MOMENTUM).addi(vStep);
            batches.value().addi(1);
        }
    }
}
