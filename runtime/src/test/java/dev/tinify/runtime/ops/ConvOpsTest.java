package dev.tinify.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Convolutions against their definition, summed directly in Java, for channel counts on both sides
 * of the 8- and 16-lane vector blocks (on some CPUs the engine's blocked kernels are wrong exactly
 * there: {@link BlockedConvProbe}). Inputs and weights are small integers, so every float sum is
 * exact and the comparison is exact: forward values, and the gradients of sum(y * g) with respect
 * to the input and the weight (which the backward pass computes with convolutions of its own).
 */
class ConvOpsTest {
    private static final int B = 2;
    private static final int H = 7;
    private static final int W = 6;

    /** Batches of 2 run on oneDNN; the single items run on PyTorch's own kernel ({@link ConvOps#torchConv2d}). */
    @ParameterizedTest
    @CsvSource({"3, 12, 5, 2", "12, 8, 3, 2", "17, 24, 3, 2", "24, 40, 5, 2", "24, 3, 1, 2", "33, 12, 3, 2", "16, 48, 3, 2",
            "8, 8, 3, 2", "3, 8, 5, 2", "8, 26, 1, 2", "16, 32, 3, 1", "24, 40, 3, 1", "32, 16, 1, 1"})
    void convolutionAndItsGradientsEqualTheDirectSums(int in, int out, int k, int batch) {
        int p = k / 2;
        float[] x = ints(batch * in * H * W, 7, 3);
        float[] w = ints(out * in * k * k, 5, 2);
        float[] g = ints(batch * out * H * W, 3, 1);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray xa = m.create(x, new Shape(batch, in, H, W));
            NDArray wa = m.create(w, new Shape(out, in, k, k));
            xa.setRequiresGradient(true);
            wa.setRequiresGradient(true);
            float[] y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray ya = ConvOps.conv2d(xa, wa, null, 1, p);
                y = ya.toFloatArray();
                gc.backward(ya.mul(m.create(g, new Shape(batch, out, H, W))).sum());
            }
            float[] yRef = new float[y.length];
            float[] gx = new float[x.length];
            float[] gw = new float[w.length];
            for (int b = 0; b < batch; b++) {
                for (int o = 0; o < out; o++) {
                    for (int r = 0; r < H; r++) {
                        for (int c = 0; c < W; c++) {
                            int yi = ((b * out + o) * H + r) * W + c;
                            for (int i = 0; i < in; i++) {
                                for (int dr = 0; dr < k; dr++) {
                                    for (int dc = 0; dc < k; dc++) {
                                        int ir = r + dr - p;
                                        int ic = c + dc - p;
                                        if (ir < 0 || ic < 0 || ir >= H || ic >= W) {
                                            continue;
                                        }
                                        int xi = ((b * in + i) * H + ir) * W + ic;
                                        int wi = ((o * in + i) * k + dr) * k + dc;
                                        yRef[yi] += x[xi] * w[wi];
                                        gx[xi] += g[yi] * w[wi];
                                        gw[wi] += g[yi] * x[xi];
                                    }
                                }
                            }
                        }
                    }
                }
            }
            String shape = in + "->" + out + " k" + k;
            assertArrayEquals(yRef, y, shape + " forward");
            assertArrayEquals(gx, xa.getGradient().toFloatArray(), shape + " input gradient");
            assertArrayEquals(gw, wa.getGradient().toFloatArray(), shape + " weight gradient");
        }
    }

    @ParameterizedTest
    @CsvSource({"3, 24, 1, 1", "24, 40, 1, 2", "36, 12, 3, 3", "64, 64, 1, 4"})
    void oneDimensionalGroupedConvolutionEqualsTheDirectSums(int in, int out, int k, int groups) {
        int points = 9;
        int inG = in / groups;
        int outG = out / groups;
        float[] x = ints(B * in * points, 7, 3);
        float[] w = ints(out * inG * k, 5, 2);
        float[] bias = ints(out, 3, 2);
        try (NDManager m = NDManager.newBaseManager()) {
            float[] y = ConvOps.conv1d(m.create(x, new Shape(B, in, points)), m.create(w, new Shape(out, inG, k)),
                    m.create(bias, new Shape(out)), groups).toFloatArray();
            int outPoints = points - k + 1;
            float[] yRef = new float[B * out * outPoints];
            for (int b = 0; b < B; b++) {
                for (int o = 0; o < out; o++) {
                    int group = o / outG;
                    for (int q = 0; q < outPoints; q++) {
                        float sum = bias[o];
                        for (int i = 0; i < inG; i++) {
                            for (int d = 0; d < k; d++) {
                                sum += x[(b * in + group * inG + i) * points + q + d] * w[(o * inG + i) * k + d];
                            }
                        }
                        yRef[(b * out + o) * outPoints + q] = sum;
                    }
                }
            }
            assertArrayEquals(yRef, y, in + "->" + out + " k" + k + " groups " + groups);
        }
    }

    /**
     * Without autograd recording, a convolution of fewer input channels than one vector block may
     * run unpadded when the probe finds the engine's forward kernel right: on frames larger than
     * the probe's and with strides, the values must still be the direct sums exactly.
     */
    @ParameterizedTest
    @CsvSource({"3, 128, 5, 2", "6, 128, 5, 2", "3, 16, 3, 1", "6, 32, 5, 1", "3, 12, 5, 2"})
    void inferenceConvolutionEqualsTheDirectSum(int in, int out, int k, int stride) {
        int p = k / 2;
        int h = 37;
        int wd = 70;
        float[] x = ints(B * in * h * wd, 7, 3);
        float[] w = ints(out * in * k * k, 5, 2);
        int oh = (int) ConvOps.convOutSize(h, k, stride, p);
        int ow = (int) ConvOps.convOutSize(wd, k, stride, p);
        float[] y;
        try (NDManager m = NDManager.newBaseManager();
                NDArray xa = m.create(x, new Shape(B, in, h, wd));
                NDArray wa = m.create(w, new Shape(out, in, k, k));
                NDArray ya = ConvOps.conv2d(xa, wa, null, stride, p)) {
            y = ya.toFloatArray();
        }
        float[] yRef = new float[B * out * oh * ow];
        for (int b = 0; b < B; b++) {
            for (int o = 0; o < out; o++) {
                for (int r = 0; r < oh; r++) {
                    for (int c = 0; c < ow; c++) {
                        float sum = 0;
                        for (int i = 0; i < in; i++) {
                            for (int dr = 0; dr < k; dr++) {
                                for (int dc = 0; dc < k; dc++) {
                                    int ir = r * stride + dr - p;
                                    int ic = c * stride + dc - p;
                                    if (ir >= 0 && ic >= 0 && ir < h && ic < wd) {
                                        sum += x[((b * in + i) * h + ir) * wd + ic] * w[((o * in + i) * k + dr) * k + dc];
                                    }
                                }
                            }
                        }
                        yRef[((b * out + o) * oh + r) * ow + c] = sum;
                    }
                }
            }
        }
        assertArrayEquals(yRef, y, in + "->" + out + " k" + k + " s" + stride + " forward without recording");
    }

    /** Integers in [-half, half], a fixed pattern per size. */
    private static float[] ints(int n, int stride, int half) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = Math.floorMod(i * stride + i / 3, 2 * half + 1) - half;
        }
        return v;
    }
}
