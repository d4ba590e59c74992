package dev.tinify.runtime.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.tinify.runtime.ops.ConvOps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The polyphase transposed convolution against the scatter definition of
 * {@code nn.ConvTranspose2d} (padding k/2, output padding s-1), against the adjoint of DJL's own
 * strided convolution, and its gradients against finite differences.
 */
class ConvTranspose2dTest {

    /** Direct definition: input pixel (i, j) adds w[c, o, ky, kx] at output (i·s - p + ky, j·s - p + kx). */
    private static float[] naive(float[] x, float[] w, float[] b, int batch, int in, int out, int h, int wd, int k, int s) {
        int p = k / 2;
        int ho = h * s;
        int wo = wd * s;
        double[] y = new double[batch * out * ho * wo];
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < ho * wo; i++) {
                    y[(n * out + o) * ho * wo + i] = b[o];
                }
            }
            for (int c = 0; c < in; c++) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < wd; j++) {
                        double xv = x[((n * in + c) * h + i) * wd + j];
                        for (int o = 0; o < out; o++) {
                            for (int ky = 0; ky < k; ky++) {
                                int yy = i * s - p + ky;
                                if (yy < 0 || yy >= ho) {
                                    continue;
                                }
                                for (int kx = 0; kx < k; kx++) {
                                    int xx = j * s - p + kx;
                                    if (xx < 0 || xx >= wo) {
                                        continue;
                                    }
                                    y[((n * out + o) * ho + yy) * wo + xx] += xv * w[((c * out + o) * k + ky) * k + kx];
                                }
                            }
                        }
                    }
                }
            }
        }
        float[] f = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            f[i] = (float) y[i];
        }
        return f;
    }

    @ParameterizedTest(name = "in={0} out={1} k={2} s={3} {4}x{5}")
    @CsvSource({
        "3, 4, 5, 2, 5, 7",
        "2, 3, 3, 2, 4, 3",
        "4, 2, 3, 1, 6, 5",
        "2, 2, 5, 1, 4, 4",
        "3, 2, 5, 3, 3, 4",
        "2, 3, 1, 2, 3, 3",
        "1, 2, 7, 4, 2, 3",
    })
    void matchesScatterDefinition(int in, int out, int k, int s, int h, int w) {
        Engine.getInstance().setRandomSeed(11);
        try (NDManager m = NDManager.newBaseManager()) {
            ConvTranspose2d deconv = new ConvTranspose2d(m, in, out, k, s);
            NDArray x = TestTensors.uniform(m, 3, DataType.FLOAT32, 2, in, h, w);
            NDArray y = deconv.forward(x);
            assertArrayEquals(new long[] {2, out, (long) h * s, (long) w * s}, y.getShape().getShape());
            float[] expected = naive(x.toFloatArray(), deconv.weight().toFloatArray(), deconv.bias().toFloatArray(),
                    2, in, out, h, w, k, s);
            double err = TestTensors.maxAbsDiff(y.toFloatArray(), expected);
            System.out.printf("deconv in=%d out=%d k=%d s=%d: max abs error %.3g%n", in, out, k, s, err);
            assertTrue(err < 1e-5, "error " + err);
        }
    }

    /** <conv(y; w, s, p), x> = <y, deconv(x; w)> with the bias removed: the transposed convolution is the adjoint. */
    @ParameterizedTest(name = "k={0} s={1}")
    @CsvSource({"5, 2", "3, 2", "3, 1", "5, 3"})
    void isAdjointOfStridedConvolution(int k, int s) {
        Engine.getInstance().setRandomSeed(5);
        try (NDManager m = NDManager.newBaseManager()) {
            ConvTranspose2d deconv = new ConvTranspose2d(m, 3, 4, k, s);
            deconv.stateDict().get("bias").set(m.zeros(deconv.bias().getShape()));
            TestTensors.toFloat64(deconv);
            NDArray x = TestTensors.uniform(m, 1, DataType.FLOAT64, 1, 3, 5, 6);
            NDArray y = TestTensors.uniform(m, 2, DataType.FLOAT64, 1, 4, 5L * s, 6L * s);
            NDArray conv = ConvOps.conv2d(y, deconv.weight(), null, s, k / 2);
            assertArrayEquals(x.getShape().getShape(), conv.getShape().getShape());
            double lhs = conv.mul(x).sum().getDouble();
            double rhs = y.mul(deconv.forward(x)).sum().getDouble();
            System.out.printf("adjoint k=%d s=%d: %.15g vs %.15g%n", k, s, lhs, rhs);
            assertTrue(Math.abs(lhs - rhs) < 1e-10 * Math.max(1, Math.abs(lhs)), lhs + " vs " + rhs);
        }
    }

    /** Autograd gradients in float64 of sum(r · deconv(x)) for x, weight and bias against central differences. */
    @Test
    void gradientsMatchFiniteDifferences() {
        Engine.getInstance().setRandomSeed(9);
        try (NDManager m = NDManager.newBaseManager()) {
            ConvTranspose2d deconv = new ConvTranspose2d(m, 2, 3, 5, 2);
            TestTensors.toFloat64(deconv);
            NDArray x = TestTensors.uniform(m, 4, DataType.FLOAT64, 1, 2, 3, 4);
            NDArray r = TestTensors.uniform(m, 6, DataType.FLOAT64, 1, 3, 6, 8);
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(deconv.forward(x).mul(r).sum());
            }
            double[] gx = x.getGradient().toDoubleArray();
            double[] gw = deconv.weight().getGradient().toDoubleArray();
            double[] gb = deconv.bias().getGradient().toDoubleArray();
            x.setRequiresGradient(false);
            double worst = 0;
            for (int i : new int[] {0, 5, 13, 23}) {
                worst = Math.max(worst, Math.abs(gx[i] - numeric(deconv, x, r, x, i)));
            }
            for (int i : new int[] {0, 7, 31, 77, 149}) {
                worst = Math.max(worst, Math.abs(gw[i] - numeric(deconv, x, r, deconv.weight(), i)));
            }
            for (int i = 0; i < 3; i++) {
                worst = Math.max(worst, Math.abs(gb[i] - numeric(deconv, x, r, deconv.bias(), i)));
            }
            System.out.printf("deconv gradient max error %.3g%n", worst);
            assertTrue(worst < 1e-8, "gradient error " + worst);
        }
    }

    private static double numeric(ConvTranspose2d deconv, NDArray x, NDArray r, NDArray target, int i) {
        double h = 1e-5;
        double[] v = target.toDoubleArray();
        double orig = v[i];
        v[i] = orig + h;
        target.set(v);
        double plus = deconv.forward(x).mul(r).sum().getDouble();
        v[i] = orig - h;
        target.set(v);
        double minus = deconv.forward(x).mul(r).sum().getDouble();
        v[i] = orig;
        target.set(v);
        return (plus - minus) / (2 * h);
    }

    @Test
    void rejectsEvenKernelsAndWrongChannels() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThrows(IllegalArgumentException.class, () -> new ConvTranspose2d(m, 2, 2, 4, 2));
            ConvTranspose2d deconv = new ConvTranspose2d(m, 2, 3, 5, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> deconv.forward(m.zeros(new ai.djl.ndarray.types.Shape(1, 5, 4, 4))));
            assertTrue(e.getMessage().contains("expects 2 input channels, got 5"), e.getMessage());
        }
    }
}
