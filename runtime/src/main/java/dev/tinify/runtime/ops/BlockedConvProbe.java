package dev.tinify.runtime.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether the engine's convolution is wrong for channel counts that are not a multiple of the
 * vector width. On some CPUs (seen on an AVX-512 AMD EPYC with PyTorch 2.7.1) oneDNN's blocked
 * convolution returns wrong numbers whenever the input channels exceed one vector block and are
 * not a multiple of it (17..31 channels with AVX-512, 9..15 with AVX2, errors of order 1), while
 * multiples of 16 are right. A one-time probe on a problem of that shape decides, so that healthy
 * machines pay nothing; {@link ConvOps#conv2d} pads channels with zeros where it fails.
 *
 * <p>Inputs of fewer channels than one block (the 3 or 6 channels of a first convolution) are
 * right in the forward kernels of that machine and wrong only in the backward ones, and padding
 * them costs a quarter of the convolution's time. {@link #forwardCorrect} probes one such
 * configuration (channels, kernel, stride) once, so that inference may skip the padding where the
 * forward kernel is right.
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

    /** Forward results by (input channels, output channels, kernel, stride). */
    private static final Map<List<Integer>, Boolean> FORWARD = new ConcurrentHashMap<>();

    /**
     * Whether the engine's forward convolution of {@code in} to {@code out} channels with a square
     * {@code kernel}, {@code stride} and padding {@code kernel / 2} equals the direct sum, on
     * small integers so that any difference is a wrong kernel (probed once per configuration).
     */
    static boolean forwardCorrect(int in, int out, int kernel, int stride) {
        return FORWARD.computeIfAbsent(List.of(in, out, kernel, stride), k -> {
            try (NDManager m = NDManager.newBaseManager()) {
                // Wide enough for several output vectors per row, as the large frames have.
                return matchesDirectSum(m, 1, in, out, 2 * kernel + 16 * stride, kernel, stride, kernel / 2);
            }
        });
    }

    private static boolean probe() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (int c : CHANNELS) {
                if (!matchesDirectSum(m, BATCH, c, 8, SIZE, KERNEL, 1, 1)) {
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
    private static boolean matchesDirectSum(NDManager m, int batch, int channels, int out, int size, int kernel, int stride,
                                            int pad) {
        float[] x = new float[batch * channels * size * size];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i * 7 % 11) - 5;
        }
        float[] w = new float[out * channels * kernel * kernel];
        for (int i = 0; i < w.length; i++) {
            w[i] = (i * 5 % 7) - 3;
        }
        int outSize = (int) ConvOps.convOutSize(size, kernel, stride, pad);
        float[] y;
        try (NDArray xa = m.create(x, new Shape(batch, channels, size, size));
                NDArray wa = m.create(w, new Shape(out, channels, kernel, kernel));
                NDArray ya = ConvOps.torchConv2d(xa, wa, null, stride, pad, 1)) {
            y = ya.toFloatArray();
        }
        for (int b = 0; b < batch; b++) {
            for (int o = 0; o < out; o++) {
                for (int r = 0; r < outSize; r++) {
                    for (int col = 0; col < outSize; col++) {
                        double sum = 0;
                        for (int c = 0; c < channels; c++) {
                            for (int dr = 0; dr < kernel; dr++) {
                                for (int dc = 0; dc < kernel; dc++) {
                                    int ir = r * stride + dr - pad;
                                    int ic = col * stride + dc - pad;
                                    if (ir >= 0 && ic >= 0 && ir < size && ic < size) {
                                        sum += x[((b * channels + c) * size + ir) * size + ic]
                                                * w[((o * channels + c) * kernel + dr) * kernel + dc];
                                    }
                                }
                            }
                        }
                        if (sum != y[((b * out + o) * outSize + r) * outSize + col]) {
                            return false;
                        }
                    }
                }
            }
        }
        return true;
    }
}
