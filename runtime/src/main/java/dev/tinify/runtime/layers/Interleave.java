package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Channel shuffle between grouped convolutions ({@code compressai.layers.Interleave(groups)}):
 * output channel {@code j·g + i} is input channel {@code i·(C/g) + j}, so that the next grouped
 * convolution sees channels from every group. No keys.
 */
public final class Interleave extends LayerModule {
    private final int groups;

    public Interleave(int groups) {
        if (groups <= 0) {
            throw new IllegalArgumentException("Interleave needs a positive group count, got " + groups);
        }
        this.groups = groups;
    }

    @Override
    public NDArray forward(NDArray x) {
        Shape s = x.getShape();
        if (s.dimension() < 2 || s.get(1) % groups != 0) {
            throw new IllegalArgumentException(describe() + " needs [B, C, ...] with C divisible by " + groups + ", got " + s);
        }
        long[] split = new long[s.dimension() + 1];
        split[0] = s.get(0);
        split[1] = groups;
        split[2] = s.get(1) / groups;
        int[] axes = new int[split.length];
        axes[0] = 0;
        axes[1] = 2;
        axes[2] = 1;
        for (int d = 2; d < s.dimension(); d++) {
            split[d + 1] = s.get(d);
            axes[d + 1] = d + 1;
        }
        try (NDArray a = x.reshape(new Shape(split)); NDArray t = a.transpose(axes)) {
            return t.reshape(s);
        }
    }

    @Override
    public int inChannels() {
        return ANY;
    }

    @Override
    public int outChannels(int inChannels) {
        if (inChannels % groups != 0) {
            throw new IllegalArgumentException(describe() + " needs a channel count divisible by " + groups + ", got " + inChannels);
        }
        return inChannels;
    }

    @Override
    public String describe() {
        return "Interleave(" + groups + ")";
    }
}
