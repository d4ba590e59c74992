package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.nn.Param;
import dev.tinify.runtime.ops.ConvOps;
import dev.tinify.runtime.ops.Init;

/**
 * 1-D convolution over points ({@code nn.Conv1d}, no padding, stride 1): input [B, in, P], keys
 * {@code weight} [out, in/groups, k] and {@code bias} [out]. Point-cloud models use kernel 1: a
 * shared per-point linear map, optionally split into channel groups. Parameters start as
 * PyTorch's default, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in/groups·k.
 */
public final class Conv1d extends FixedChannelsLayer {
    private final int kernel;
    private final int groups;
    private final Param weight;
    private final Param bias;

    public Conv1d(NDManager manager, int in, int out, int kernel, int groups) {
        super(in, out);
        if (in <= 0 || out <= 0 || kernel <= 0 || groups <= 0 || in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException("Conv1d needs positive channels and kernel, and groups dividing both channel counts, got in="
                    + in + " out=" + out + " kernel=" + kernel + " groups=" + groups);
        }
        this.kernel = kernel;
        this.groups = groups;
        long fanIn = (long) in / groups * kernel;
        this.weight = parameter("weight", Init.fanInUniform(manager, fanIn, out, in / groups, kernel));
        this.bias = parameter("bias", Init.fanInUniform(manager, fanIn, out));
    }

    @Override
    public NDArray forward(NDArray x) {
        if (x.getShape().dimension() != 3 || x.getShape().get(1) != in) {
            throw inputError("expects [B, " + in + ", P], got " + x.getShape(), "a [B, " + in + ", P] input");
        }
        return ConvOps.conv1d(x, weight.value(), bias.value(), groups);
    }

    @Override
    protected String describeDetails() {
        return ", k" + kernel + (groups > 1 ? ", groups " + groups : "");
    }
}
