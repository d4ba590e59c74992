package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Row-major reshape of each batch item to {@code [channels, *dims]}
 * ({@code compressai.layers.Reshape((channels, *dims))}). No keys.
 */
public final class Reshape extends LayerModule {
    private final long[] shape;

    /** Reshapes [B, ...] to [B, channels, *dims]. */
    public Reshape(int channels, int[] dims) {
        this.shape = new long[dims.length + 1];
        shape[0] = channels;
        for (int i = 0; i < dims.length; i++) {
            shape[i + 1] = dims[i];
        }
        for (long d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException(describe() + " needs positive sizes");
            }
        }
    }

    @Override
    public NDArray forward(NDArray x) {
        long b = x.getShape().get(0);
        long size = 1;
        for (long d : shape) {
            size *= d;
        }
        if (x.getShape().size() != b * size) {
            throw new IllegalArgumentException(describe() + " needs " + size + " values per item, got " + x.getShape());
        }
        long[] out = new long[shape.length + 1];
        out[0] = b;
        System.arraycopy(shape, 0, out, 1, shape.length);
        return x.reshape(new Shape(out));
    }

    @Override
    public int inChannels() {
        return ANY;
    }

    @Override
    public int outChannels(int inChannels) {
        return Math.toIntExact(shape[0]);
    }

    @Override
    public String describe() {
        return "Reshape(" + Arrays.toString(shape) + ")";
    }
}
