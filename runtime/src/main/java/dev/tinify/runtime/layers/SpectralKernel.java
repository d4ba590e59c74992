package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The frequency-domain kernel parametrization of CompressAI's {@code SpectralConv2d} and
 * {@code SpectralConvTranspose2d} (Ballé, PCS 2018): the stored parameter {@code
 * weight_transformed} is {@code rfftn(weight, s=(k, k), dim=(-2, -1), norm="ortho")} and the
 * convolution uses its inverse, {@code weight = irfftn(weight_transformed, ...)}.
 *
 * <p>Storage: safetensors has no complex dtype, so Tinify keeps the complex [..., k, k/2+1] tensor
 * as float32 [..., k, k/2+1, 2] with the real and imaginary parts last, the layout of PyTorch's
 * {@code view_as_real} (a complex64 tensor read from a file has exactly these bytes, see
 * {@code SafeTensors}).
 *
 * <p>The inverse transform is a fixed real matrix (the inverse DFT basis, with the Hermitian
 * weights of the half spectrum) applied by one matmul, so the gradient reaches the frequency-domain
 * weights through ordinary autograd operations: it is {@code rfftn} of the spatial gradient with
 * the doubled bins counted twice, as PyTorch's own backward of {@code irfftn}.
 */
final class SpectralKernel {
    private final int kernel;
    private final int half;
    /** [k·(k/2+1)·2, k·k]: row (u, v, re/im), column (m, n). */
    private final NDArray basis;

    SpectralKernel(NDManager manager, int kernel) {
        this.kernel = kernel;
        this.half = kernel / 2 + 1;
        this.basis = manager.create(inverseBasis(kernel), new Shape((long) kernel * half * 2, (long) kernel * kernel));
    }

    /**
     * {@code w[m, n] = (1/k) sum_{u, v} c_v (Re X[u, v] cos t - Im X[u, v] sin t)} with {@code t =
     * 2 pi (u m + v n) / k}, {@code c_v = 2} for the bins that stand for two (0 &lt; v &lt; k/2), else 1:
     * the orthonormal inverse real 2-D DFT (the imaginary parts of the self-conjugate bins only
     * enter through the first axis, as in a complex-to-real transform).
     */
    private static float[] inverseBasis(int k) {
        int h = k / 2 + 1;
        float[] b = new float[k * h * 2 * k * k];
        for (int u = 0; u < k; u++) {
            for (int v = 0; v < h; v++) {
                double c = (v == 0 || 2 * v == k) ? 1 : 2;
                int row = (u * h + v) * 2;
                for (int m = 0; m < k; m++) {
                    for (int n = 0; n < k; n++) {
                        double t = 2 * Math.PI * ((u * m + v * n) % k) / k;
                        b[row * k * k + m * k + n] = (float) (c * Math.cos(t) / k);
                        b[(row + 1) * k * k + m * k + n] = (float) (-c * Math.sin(t) / k);
                    }
                }
            }
        }
        return b;
    }

    /** The stored shape of a kernel [a, b, k, k]: [a, b, k, k/2+1, 2]. */
    Shape transformedShape(long a, long b) {
        return new Shape(a, b, kernel, half, 2);
    }

    /** {@code rfftn(w, norm="ortho")} of a spatial kernel [a, b, k, k], as [a, b, k, k/2+1, 2] (initialization). */
    NDArray transform(NDArray spatial) {
        Shape s = spatial.getShape();
        float[] w = spatial.toFloatArray();
        int k = kernel;
        int kernels = w.length / (k * k);
        float[] out = new float[kernels * k * half * 2];
        for (int i = 0; i < kernels; i++) {
            for (int u = 0; u < k; u++) {
                for (int v = 0; v < half; v++) {
                    double re = 0;
                    double im = 0;
                    for (int m = 0; m < k; m++) {
                        for (int n = 0; n < k; n++) {
                            double t = 2 * Math.PI * ((u * m + v * n) % k) / k;
                            double x = w[i * k * k + m * k + n];
                            re += x * Math.cos(t);
                            im -= x * Math.sin(t);
                        }
                    }
                    int at = ((i * k + u) * half + v) * 2;
                    out[at] = (float) (re / k);
                    out[at + 1] = (float) (im / k);
                }
            }
        }
        return spatial.getManager().create(out, transformedShape(s.get(0), s.get(1)));
    }

    /** The spatial kernel [a, b, k, k] of a stored [a, b, k, k/2+1, 2] (a new, differentiable array). */
    NDArray inverse(NDArray transformed) {
        Shape s = transformed.getShape();
        NDArray b = basis;
        boolean converted = b.getDataType() != transformed.getDataType();
        if (converted) {
            b = b.toType(transformed.getDataType(), false);
        }
        try (NDArray flat = transformed.reshape(s.get(0) * s.get(1), (long) kernel * half * 2);
                NDArray product = flat.matMul(b)) {
            return product.reshape(s.get(0), s.get(1), kernel, kernel);
        } finally {
            if (converted) {
                b.close();
            }
        }
    }
}
