package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.nn.Param;
import dev.tinify.runtime.ops.Init;

/**
 * A fully connected layer ({@code nn.Linear}) over the last dimension: {@code x @ weight^T + bias},
 * keys {@code weight} [out, in] and {@code bias} [out]. Its "channels" are the features of the last
 * dimension, so it chains with activations in a sequence but not with convolutions. Parameters
 * start as PyTorch's default, U(-1/sqrt(in), 1/sqrt(in)).
 */
public final class Linear extends FixedChannelsLayer {
    private final Param weight;
    private final Param bias;

    public Linear(NDManager manager, int in, int out) {
        super(in, out);
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("Linear needs positive feature counts, got in=" + in + " out=" + out);
        }
        this.weight = parameter("weight", Init.fanInUniform(manager, in, out, in));
        this.bias = parameter("bias", Init.fanInUniform(manager, in, out));
    }

    @Override
    public NDArray forward(NDArray x) {
        long last = x.getShape().dimension() == 0 ? -1 : x.getShape().get(x.getShape().dimension() - 1);
        if (last != in) {
            throw inputError("expects " + in + " features in the last dimension, got shape " + x.getShape(),
                    "in_features equal to the input's last dimension");
        }
        try (NDArray wt = weight.value().transpose(); NDArray product = x.matMul(wt)) {
            return product.add(bias.value());
        }
    }
}
