package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.nn.Param;
import java.util.Arrays;

/**
 * Batch normalization over [B, C, ...] ({@code nn.BatchNorm1d} on [B, C, P], {@code nn.BatchNorm2d}
 * on [B, C, H, W], eps 1e-5) with its running
 * statistics, as CompressAI's models run it in evaluation mode: {@code (x − running_mean) /
 * sqrt(running_var + eps) · weight + bias}. Keys {@code weight}, {@code bias},
 * {@code running_mean}, {@code running_var} and {@code num_batches_tracked} (kept for the key
 * set; int32 as the reference fixtures store it). The running statistics are not updated: a
 * model trained here keeps the statistics it was loaded with.
 */
public final class BatchNorm extends FixedChannelsLayer {
    private static final float EPS = 1e-5f;

    private final Param weight;
    private final Param bias;
    private final Param runningMean;
    private final Param runningVar;

    public BatchNorm(NDManager manager, int channels) {
        super(channels);
        if (channels <= 0) {
            throw new IllegalArgumentException("BatchNorm needs a positive channel count, got " + channels);
        }
        this.weight = parameter("weight", manager.ones(new Shape(channels)));
        this.bias = parameter("bias", manager.zeros(new Shape(channels)));
        this.runningMean = buffer("running_mean", manager.zeros(new Shape(channels)));
        this.runningVar = buffer("running_var", manager.ones(new Shape(channels)));
        buffer("num_batches_tracked", manager.create(0));
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
}
