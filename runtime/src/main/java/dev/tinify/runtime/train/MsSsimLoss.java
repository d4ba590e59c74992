package dev.tinify.runtime.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import dev.tinify.runtime.ops.ConvOps;
import dev.tinify.runtime.ops.Scalars;

/**
 * MS-SSIM as a differentiable NDArray expression, for training with CompressAI's MS-SSIM loss
 * ({@code pytorch_msssim.ms_ssim(x_hat, x, data_range=1)}). Same definition as
 * {@link dev.tinify.runtime.metrics.MsSsim} (11-tap Gaussian, sigma 1.5, no padding, K1 = 0.01,
 * K2 = 0.03, five scales, 2x2 average pooling padded on odd sides, contrast-structure terms clamped
 * at 0), but on float tensors that are not rounded to 8 bits, batched, with autograd.
 */
public final class MsSsimLoss {
    private static final double[] WEIGHTS = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};
    private static final int WIN = 11;
    private static final double SIGMA = 1.5;
    private static final float C1 = 0.01f * 0.01f;
    private static final float C2 = 0.03f * 0.03f;
    private static final float[] GAUSSIAN = gaussian();
    /** Sides must exceed this, as pytorch_msssim demands: the coarsest scale must still hold a window. */
    public static final int MIN_SIDE_EXCLUSIVE = (WIN - 1) * (1 << (WEIGHTS.length - 1));

    private MsSsimLoss() {}

    /**
     * The mean MS-SSIM over batch and channels of two [B, C, H, W] tensors with values in [0, 1],
     * as a scalar in {@code x}'s manager.
     *
     * @throws IllegalArgumentException if the shapes differ or a side is at most 160 pixels
     */
    public static NDArray of(NDArray x, NDArray y) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || !s.equals(y.getShape())) {
            throw new IllegalArgumentException("MS-SSIM needs two [B, C, H, W] tensors of one shape, got " + s + " and " + y.getShape());
        }
        if (Math.min(s.get(2), s.get(3)) <= MIN_SIDE_EXCLUSIVE) {
            throw new IllegalArgumentException("MS-SSIM needs both sides larger than " + MIN_SIDE_EXCLUSIVE
                    + " pixels, got " + s.get(2) + "x" + s.get(3) + " (use patches of at least 176 pixels)");
        }
        int channels = (int) s.get(1);
        NDManager m = x.getManager();
        try (NDArray w = window(m, channels, x.getDataType());
                NDArray wRow = w.reshape(channels, 1, 1, WIN);
                NDArray wCol = w.reshape(channels, 1, WIN, 1)) {
            NDArray a = x;
            NDArray b = y;
            NDArray product = null;
            for (int level = 0; level < WEIGHTS.length; level++) {
                boolean last = level == WEIGHTS.length - 1;
                NDArray term;
                try (NDList sc = ssimAndCs(a, b, wRow, wCol)) {
                    // Clamped at 0 as pytorch_msssim's relu, then weighted by the scale's exponent.
                    NDArray pick = sc.get(last ? 0 : 1);
                    try (NDArray clamped = Scalars.maximum(pick, 0f)) {
                        term = Scalars.pow(clamped, (float) WEIGHTS[level]);
                    }
                }
                if (product == null) {
                    product = term;
                } else {
                    NDArray next = product.mul(term);
                    product.close();
                    term.close();
                    product = next;
                }
                if (!last) {
                    long ph = a.getShape().get(2) % 2;
                    long pw = a.getShape().get(3) % 2;
                    NDArray na = Pool.avgPool2d(a, new Shape(2, 2), new Shape(2, 2), new Shape(ph, pw), false, true);
                    NDArray nb = Pool.avgPool2d(b, new Shape(2, 2), new Shape(2, 2), new Shape(ph, pw), false, true);
                    if (a != x) {
                        a.close();
                        b.close();
                    }
                    a = na;
                    b = nb;
                }
            }
            if (a != x) {
                a.close();
                b.close();
            }
            try (NDArray p = product) {
                return p.mean();
            }
        }
    }

    /** Per-(batch, channel) mean SSIM and mean contrast-structure term, each [B, C]. */
    private static NDList ssimAndCs(NDArray x, NDArray y, NDArray wRow, NDArray wCol) {
        try (NDArray mx = filter(x, wRow, wCol);
                NDArray my = filter(y, wRow, wCol);
                NDArray xx = x.mul(x);
                NDArray yy = y.mul(y);
                NDArray xy = x.mul(y);
                NDArray fxx = filter(xx, wRow, wCol);
                NDArray fyy = filter(yy, wRow, wCol);
                NDArray fxy = filter(xy, wRow, wCol);
                NDArray mx2 = mx.mul(mx);
                NDArray my2 = my.mul(my);
                NDArray mxy = mx.mul(my);
                NDArray sx = fxx.sub(mx2);
                NDArray sy = fyy.sub(my2);
                NDArray sxy = fxy.sub(mxy);
                NDArray csNum = Scalars.mul(sxy, 2f).add(C2);
                NDArray csDen = sx.add(sy).add(C2);
                NDArray cs = csNum.div(csDen);
                NDArray lNum = Scalars.mul(mxy, 2f).add(C1);
                NDArray lDen = mx2.add(my2).add(C1);
                NDArray l = lNum.div(lDen);
                NDArray ssim = l.mul(cs);
                NDArray ssimFlat = ssim.reshape(ssim.getShape().get(0), ssim.getShape().get(1), -1);
                NDArray csFlat = cs.reshape(cs.getShape().get(0), cs.getShape().get(1), -1)) {
            return new NDList(ssimFlat.mean(new int[] {2}), csFlat.mean(new int[] {2}));
        }
    }

    /** Separable depthwise Gaussian filtering without padding. */
    private static NDArray filter(NDArray in, NDArray wRow, NDArray wCol) {
        try (NDArray rows = ConvOps.depthwiseConv2d(in, wCol)) {
            return ConvOps.depthwiseConv2d(rows, wRow);
        }
    }

    /**
     * The window of every channel, [channels, 11], in PyTorch's own memory. The convolutions save it
     * for backward, and an array created from Java data is a direct buffer that the garbage collector
     * frees once its handle is closed; {@code toType(type, true)} would not help, since DJL returns a
     * view, not a copy, when the type already matches.
     */
    private static NDArray window(NDManager m, int channels, DataType type) {
        float[] all = new float[channels * WIN];
        for (int c = 0; c < channels; c++) {
            System.arraycopy(GAUSSIAN, 0, all, c * WIN, WIN);
        }
        NDArray w = Scalars.copyOf(m, all, new Shape(channels, WIN));
        if (type == DataType.FLOAT32) {
            return w;
        }
        try (w) {
            return w.toType(type, false);
        }
    }

    /** The normalized 11-tap Gaussian (sigma 1.5), rounded to float32. */
    private static float[] gaussian() {
        double[] d = new double[WIN];
        double sum = 0;
        for (int i = 0; i < WIN; i++) {
            double t = i - WIN / 2;
            d[i] = Math.exp(-(t * t) / (2 * SIGMA * SIGMA));
            sum += d[i];
        }
        float[] g = new float[WIN];
        for (int i = 0; i < WIN; i++) {
            g[i] = (float) (d[i] / sum);
        }
        return g;
    }
}
