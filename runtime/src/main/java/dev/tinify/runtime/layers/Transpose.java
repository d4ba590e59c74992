package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;

/**
 * Swaps two axes ({@code compressai.layers.Transpose(dim0, dim1)}; a negative axis counts from
 * the end). No keys.
 */
public final class Transpose extends LayerModule {
    private final int dim0;
    private final int dim1;

    public Transpose(int dim0, int dim1) {
        this.dim0 = dim0;
        this.dim1 = dim1;
    }

    @Override
    public NDArray forward(NDArray x) {
        int n = x.getShape().dimension();
        int a = dim0 < 0 ? n + dim0 : dim0;
        int b = dim1 < 0 ? n + dim1 : dim1;
        if (a < 0 || a >= n || b < 0 || b >= n) {
            throw new IllegalArgumentException(describe() + " needs an array with both axes, got " + x.getShape());
        }
        int[] axes = new int[n];
        for (int i = 0; i < n; i++) {
            axes[i] = i;
        }
        axes[a] = b;
        axes[b] = a;
        return x.transpose(axes);
    }

    @Override
    public int inChannels() {
        return ANY;
    }

    @Override
    public int outChannels(int inChannels) {
        return inChannels;
    }

    @Override
    public String describe() {
        return "Transpose(" + dim0 + ", " + dim1 + ")";
    }
}
