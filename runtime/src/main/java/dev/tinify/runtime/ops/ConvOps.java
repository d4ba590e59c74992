package dev.tinify.runtime.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import org.jspecify.annotations.Nullable;

/** Convolution helpers over NCHW arrays. */
public final class ConvOps {
    private static final Shape ONE = new Shape(1, 1);

    private ConvOps() {}

    /**
     * Cross-correlation as {@code torch.nn.functional.conv2d}: {@code weight} is
     * [out, in, kh, kw], {@code bias} [out] or null, symmetric zero padding.
     */
    public static NDArray conv2d(NDArray x, NDArray weight, @Nullable NDArray bias, int stride, int padding) {
        return Conv2d.conv2d(x, weight, bias, new Shape(stride, stride), new Shape(padding, padding), ONE, 1)
                .singletonOrThrow();
    }

    /**
     * Pixel shuffle ({@code torch.nn.PixelShuffle}): [B, C·r², H, W] → [B, C, H·r, W·r], where
     * input channel {@code c·r² + i·r + j} becomes output pixel {@code (h·r + i, w·r + j)} of
     * channel {@code c}.
     */
    public static NDArray pixelShuffle(NDArray x, int r) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) % ((long) r * r) != 0) {
            throw new IllegalArgumentException("pixel shuffle by " + r + " needs [B, C*" + r * r + ", H, W], got " + s);
        }
        long b = s.get(0);
        long c = s.get(1) / ((long) r * r);
        long h = s.get(2);
        long w = s.get(3);
        try (NDArray split = x.reshape(b, c, r, r, h, w);
                NDArray moved = split.transpose(0, 1, 4, 2, 5, 3)) {
            return moved.reshape(b, c, h * r, w * r);
        }
    }

    /** Spatial output size of a convolution along one axis. */
    public static long convOutSize(long in, int kernel, int stride, int padding) {
        return Math.floorDiv(in + 2L * padding - kernel, stride) + 1;
    }
}
