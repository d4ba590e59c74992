package dev.tinify.runtime.metrics;

import dev.tinify.runtime.image.RgbImage;

/**
 * Multi-scale SSIM computed as {@code pytorch_msssim.ms_ssim(x, y, data_range=1)}, which CompressAI
 * reports as {@code ms-ssim-rgb}: both images rounded to 8 bits and divided by 255; an 11-tap
 * Gaussian window (sigma 1.5) applied separably without padding; K1 = 0.01, K2 = 0.03; five scales
 * weighted (0.0448, 0.2856, 0.3001, 0.2363, 0.1333) with 2x2 average pooling between them (a side
 * of odd length is zero-padded by one on both ends, the zeros counted in the average); the
 * contrast-structure means, clamped at 0, at the four finer scales and the SSIM mean, clamped at
 * 0, at the coarsest, multiplied per channel; then the mean over R, G, B. Computed in double.
 */
public final class MsSsim {
    /** Scale weights, finest first. */
    static final double[] WEIGHTS = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};
    private static final int WIN = 11;
    private static final double SIGMA = 1.5;
    private static final double C1 = 0.01 * 0.01;
    private static final double C2 = 0.03 * 0.03;
    private static final double[] WINDOW = gaussian();

    private MsSsim() {}

    /**
     * MS-SSIM in [0, 1] between a reference and a reconstruction.
     *
     * @throws IllegalArgumentException if the sizes differ or the smaller side is at most 160
     *     pixels (pytorch_msssim refuses those: the coarsest scale would be smaller than the window)
     */
    public static double of(RgbImage reference, RgbImage reconstruction) {
        Sizes.requireSame(reference, reconstruction);
        int h = reference.height();
        int w = reference.width();
        int minSide = (WIN - 1) * (1 << (WEIGHTS.length - 1));
        if (Math.min(h, w) <= minSide) {
            throw new IllegalArgumentException("MS-SSIM needs both sides larger than " + minSide + " pixels, got " + w + "x" + h);
        }
        int[] a = reference.to8Bit();
        int[] b = reconstruction.to8Bit();
        int plane = h * w;
        double sum = 0;
        for (int c = 0; c < 3; c++) {
            double[] x = new double[plane];
            double[] y = new double[plane];
            for (int i = 0; i < plane; i++) {
                x[i] = a[c * plane + i] / 255.0;
                y[i] = b[c * plane + i] / 255.0;
            }
            sum += channel(x, y, h, w);
        }
        return sum / 3;
    }

    /** In dB, as often plotted: -10 log10(1 - MS-SSIM). */
    public static double toDb(double msSsim) {
        return -10 * Math.log10(1 - msSsim);
    }

    private static double channel(double[] x, double[] y, int h, int w) {
        double product = 1;
        for (int level = 0; level < WEIGHTS.length; level++) {
            double[] sc = ssimAndCs(x, y, h, w);
            if (level < WEIGHTS.length - 1) {
                product *= Math.pow(Math.max(0, sc[1]), WEIGHTS[level]);
                int ph = h % 2;
                int pw = w % 2;
                x = avgPool(x, h, w, ph, pw);
                y = avgPool(y, h, w, ph, pw);
                h = (h + 2 * ph) / 2;
                w = (w + 2 * pw) / 2;
            } else {
                product *= Math.pow(Math.max(0, sc[0]), WEIGHTS[level]);
            }
        }
        return product;
    }

    /**
     * Mean SSIM and mean contrast-structure term over the valid window positions. The five
     * filtered maps (x, y, x^2, y^2, xy) are built in one vertical pass; the horizontal pass is
     * fused with the per-position terms, so no full-size map is stored for it.
     */
    private static double[] ssimAndCs(double[] x, double[] y, int h, int w) {
        int oh = h - WIN + 1;
        int ow = w - WIN + 1;
        double[] vx = new double[oh * w];
        double[] vy = new double[oh * w];
        double[] vxx = new double[oh * w];
        double[] vyy = new double[oh * w];
        double[] vxy = new double[oh * w];
        for (int r = 0; r < oh; r++) {
            int dst = r * w;
            for (int k = 0; k < WIN; k++) {
                double g = WINDOW[k];
                int src = (r + k) * w;
                for (int c = 0; c < w; c++) {
                    double a = x[src + c];
                    double b = y[src + c];
                    vx[dst + c] += g * a;
                    vy[dst + c] += g * b;
                    vxx[dst + c] += g * a * a;
                    vyy[dst + c] += g * b * b;
                    vxy[dst + c] += g * a * b;
                }
            }
        }
        double ssim = 0;
        double cs = 0;
        for (int r = 0; r < oh; r++) {
            int row = r * w;
            for (int c = 0; c < ow; c++) {
                double mx = 0;
                double my = 0;
                double sxx = 0;
                double syy = 0;
                double sxy = 0;
                for (int k = 0; k < WIN; k++) {
                    double g = WINDOW[k];
                    int i = row + c + k;
                    mx += g * vx[i];
                    my += g * vy[i];
                    sxx += g * vxx[i];
                    syy += g * vyy[i];
                    sxy += g * vxy[i];
                }
                double mx2 = mx * mx;
                double my2 = my * my;
                double mxy = mx * my;
                double csMap = (2 * (sxy - mxy) + C2) / ((sxx - mx2) + (syy - my2) + C2);
                cs += csMap;
                ssim += (2 * mxy + C1) / (mx2 + my2 + C1) * csMap;
            }
        }
        int n = oh * ow;
        return new double[] {ssim / n, cs / n};
    }

    /** 2x2 average pooling with {@code ph}/{@code pw} zeros on each end, zeros counted (avg_pool2d's default). */
    private static double[] avgPool(double[] in, int h, int w, int ph, int pw) {
        int oh = (h + 2 * ph) / 2;
        int ow = (w + 2 * pw) / 2;
        double[] out = new double[oh * ow];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                double s = 0;
                for (int dy = 0; dy < 2; dy++) {
                    int sy = 2 * y + dy - ph;
                    if (sy < 0 || sy >= h) {
                        continue;
                    }
                    for (int dx = 0; dx < 2; dx++) {
                        int sx = 2 * x + dx - pw;
                        if (sx >= 0 && sx < w) {
                            s += in[sy * w + sx];
                        }
                    }
                }
                out[y * ow + x] = s / 4;
            }
        }
        return out;
    }

    private static double[] gaussian() {
        double[] g = new double[WIN];
        double sum = 0;
        for (int i = 0; i < WIN; i++) {
            double d = i - WIN / 2;
            g[i] = Math.exp(-(d * d) / (2 * SIGMA * SIGMA));
            sum += g[i];
        }
        for (int i = 0; i < WIN; i++) {
            g[i] /= sum;
        }
        return g;
    }
}
