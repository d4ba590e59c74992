package dev.tinify.runtime.layers;

import dev.tinify.runtime.ops.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.nn.Param;
import java.util.Arrays;

/**
 * Group normalization ({@code nn.GroupNorm(groups, channels)}, eps 1e-5) over [B, C, ...]: the
 * channels split into {@code groups} consecutive groups, each normalized over its channels and
 * every position of one batch item by its own mean and biased variance, then scaled and shifted
 * per channel. Keys {@code weight} (ones) and {@code bias} (zeros). Unlike batch norm it has no
 * running statistics: training and evaluation compute the same thing.
 */
public final class GroupNorm extends FixedChannelsLayer {
    private static final float EPS = 1e-5f;

    private final int groups;
    private final Param weight;
    private final Param bias;

    public GroupNorm(NDManager manager, int groups, int channels) {
        super(channels);
        if (groups <= 0 || channels <= 0 || channels % groups != 0) {
            throw new IllegalArgumentException("GroupNorm needs positive groups dividing the channels, got groups=" + groups
                    + " channels=" + channels);
        }
        this.groups = groups;
        this.weight = parameter("weight", manager.ones(new Shape(channels)));
        this.bias = parameter("bias", manager.zeros(new Shape(channels)));
    }

    @Override
    public NDArray forward(NDArray x) {
        Shape shape = x.getShape();
        int dims = shape.dimension();
        if (dims < 3 || shape.get(1) != in) {
            throw inputError("expects [B, " + in + ", ...], got " + shape, "num_channels equal to the input's channels");
        }
        long[] view = new long[dims];
        Arrays.fill(view, 1);
        view[1] = in;
        try (NDArray grouped = x.reshape(shape.get(0), groups, -1);
                NDArray mean = grouped.mean(new int[] {2}, true);
                NDArray centred = grouped.sub(mean);
                NDArray var = centred.square().mean(new int[] {2}, true);
                NDArray invStd = Scalars.pow(var.add(EPS).sqrt(), -1f);
                NDArray normed = centred.mul(invStd);
                NDArray back = normed.reshape(shape);
                NDArray w = weight.value().reshape(view);
                NDArray b = bias.value().reshape(view);
                NDArray scaled = back.mul(w)) {
            return scaled.add(b);
        }
    }

    @Override
    protected String describeDetails() {
        return ", " + groups + " groups";
    }
}
