package dev.tinify.runtime.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/**
 * Whether the engine's convolution is wrong for channel counts that are not a multiple of the
 * vector width. On some CPUs (seen on an AVX-512 AMD EPYC with PyTorch 2.7.1) oneDNN's blocked
 * convolution returns wrong numbers whenever the input channels exceed one vector block and are
 * not a multiple of it (17..31 channels with AVX-512, 9..15 with AVX2, errors of order 1), while
 * multiples of 16 are right. A one-time probe on a problem of that shape decides, so that healthy
 * machines pay nothing; {@link ConvOps#conv2d} pads channels with zeros where it fails.
 */
final class BlockedConvProbe {
    /** 24 and 12 channels: past one 16-wide (AVX-512) and one 8-wide (AVX2) block, not a multiple. */
    private static final int[] CHANNELS = {24, 12};
    private static final int BATCH = 4;
    private static final int SIZE = 6;
    private static final int KERNEL = 3;

    private BlockedConvProbe() {}

    /** Lazily evaluated once per JVM (class-holder idiom: thread-safe without locks). */
    private static final class Holder {
        static final boolean PADDING_NEEDED = probe();
    }

    static boolean paddingNeeded() {
        return Holder.PADDING_NEEDED;
    }

    private static boolean probe() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (int c : CHANNELS) {
                if (!matchesDirectSum(m, c)) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * Small integers in, so that the float sums are exact and any difference from the direct sum
     * is a wrong kernel, not rounding.
     */
    private static boolean matchesDirectSum(NDManager m, int channels) {
        int out = 8;
        float[] x = new float[BATCH * channels * SIZE * SIZE];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i * 7 % 11) - 5;
        }
        float[] w = new float[out * channels * KERNEL * KERNEL];
        for (int i = 0; i < w.length; i++) {
            w[i] = (i * 5 % 7) - 3;
        }
        float[] y;
        try (NDArray xa = m.create(x, new Shape(BATCH, channels, SIZE, SIZE));
                NDArray wa = m.create(w, new Shape(out, channels, KERNEL, KERNEL));
                NDArray ya = Conv2d.conv2d(xa, wa, null, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1)
                        .singletonOrThrow()) {
            y = ya.toFloatArray();
        }
        for (int b = 0; b < BATCH; b++) {
            for (int o = 0; o < out; o++) {
                for (int r = 0; r < SIZE; r++) {
                    for (int col = 0; col < SIZE; col++) {
                        double sum = 0;
                        for (int c = 0; c < channels; c++) {
                            for (int dr = 0; dr < KERNEL; dr++) {
                                for (int dc = 0; dc < KERNEL; dc++) {
                                    int ir = r + dr - 1;
                                    int ic = col + dc - 1;
                                    if (ir >= 0 && ic >= 0 && ir < SIZE && ic < SIZE) {
                                        sum += x[((b * channels + c) * SIZE + ir) * SIZE + ic]
                                                * w[((o * channels + c) * KERNEL + dr) * KERNEL + dc];
                                    }
                                }
                            }
                        }
                        if (sum != y[((b * out + o) * SIZE + r) * SIZE + col]) {
                            return false;
                        }
                    }
                }
            }
        }
        return true;
    }
}
