package dev.tinify.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Bjontegaard deltas between two rate-distortion curves, computed as the project's
 * {@code tools/bdrate.py}: each curve's points are sorted by quality Q (dB; duplicates of Q keep
 * the lowest rate), ln(bpp) is interpolated as a function of Q and integrated over the overlap of
 * the two quality ranges; BD-rate = exp(mean difference) - 1, in percent (negative: the test
 * curve needs fewer bits). {@link Method#PCHIP} (default) interpolates with a monotone piecewise
 * cubic Hermite curve (Fritsch-Carlson slopes as SciPy's PchipInterpolator), {@link Method#POLY3}
 * fits a least-squares cubic (VCEG-M33). BD-quality swaps the roles of rate and quality.
 */
public final class BdRate {
    private BdRate() {}

    /** Interpolation of a curve between its points. */
    public enum Method {
        PCHIP,
        POLY3
    }

    /**
     * Both deltas of {@code test} against {@code anchor}.
     *
     * @param bdRatePercent rate difference at equal quality, percent
     * @param bdQualityDb quality difference at equal rate, dB
     * @param qualityLow lower end of the quality overlap, dB
     * @param qualityHigh upper end of the quality overlap, dB
     */
    public record Result(double bdRatePercent, double bdQualityDb, double qualityLow, double qualityHigh) {}

    /** BD-rate and BD-PSNR with the PCHIP method. */
    public static Result compute(ResultFile anchor, ResultFile test) {
        return compute(anchor, test, QualityAxis.PSNR, Method.PCHIP);
    }

    /** BD-rate and BD-quality of {@code test} against {@code anchor}. */
    public static Result compute(ResultFile anchor, ResultFile test, QualityAxis metric, Method method) {
        double[] ra = anchor.bpp();
        double[] qa = metric.qualityDb(anchor);
        double[] rb = test.bpp();
        double[] qb = metric.qualityDb(test);
        try {
            double[] rate = bdRate(ra, qa, rb, qb, method);
            return new Result(rate[0], bdQuality(ra, qa, rb, qb, method), rate[1], rate[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(test.name() + " vs " + anchor.name() + ": " + e.getMessage(), e);
        }
    }

    /**
     * BD-rate in percent of curve b against anchor a (rates in bpp, qualities in dB), with the
     * quality overlap: {@code {percent, qualityLow, qualityHigh}}.
     */
    public static double[] bdRate(double[] rateA, double[] qualA, double[] rateB, double[] qualB, Method method) {
        double[][] a = prepare(log(rateA, "anchor"), qualA);
        double[][] b = prepare(log(rateB, "test"), qualB);
        int min = method == Method.POLY3 ? 4 : 2;
        if (a[0].length < min || b[0].length < min) {
            throw new IllegalArgumentException("not enough points: " + method + " needs " + min + " distinct qualities per curve, got "
                    + a[0].length + " and " + b[0].length);
        }
        double lo = Math.max(a[0][0], b[0][0]);
        double hi = Math.min(a[0][a[0].length - 1], b[0][b[0].length - 1]);
        if (!(hi > lo)) {
            throw new IllegalArgumentException("the curves do not overlap in quality");
        }
        double ia = integral(a[0], a[1], lo, hi, method);
        double ib = integral(b[0], b[1], lo, hi, method);
        return new double[] {(Math.exp((ib - ia) / (hi - lo)) - 1) * 100, lo, hi};
    }

    /** BD-quality in dB of curve b against anchor a: mean quality difference over the log-rate overlap. */
    public static double bdQuality(double[] rateA, double[] qualA, double[] rateB, double[] qualB, Method method) {
        double[][] a = prepare(qualA, log(rateA, "anchor"));
        double[][] b = prepare(qualB, log(rateB, "test"));
        int min = method == Method.POLY3 ? 4 : 2;
        if (a[0].length < min || b[0].length < min) {
            throw new IllegalArgumentException("not enough points with distinct rates for " + method);
        }
        double lo = Math.max(a[0][0], b[0][0]);
        double hi = Math.min(a[0][a[0].length - 1], b[0][b[0].length - 1]);
        if (!(hi > lo)) {
            throw new IllegalArgumentException("the curves do not overlap in rate");
        }
        return (integral(b[0], b[1], lo, hi, method) - integral(a[0], a[1], lo, hi, method)) / (hi - lo);
    }

    private static double[] log(double[] rate, String which) {
        double[] out = new double[rate.length];
        for (int i = 0; i < rate.length; i++) {
            if (!(rate[i] > 0) || Double.isInfinite(rate[i])) {
                throw new IllegalArgumentException(which + " rate " + rate[i] + " at point " + i + " is not a positive number");
            }
            out[i] = Math.log(rate[i]);
        }
        return out;
    }

    /**
     * Sorts points by {@code x} (ties by {@code y}) and drops repeated x values, keeping the
     * first: returns {@code {x, y}}.
     */
    private static double[][] prepare(double[] y, double[] x) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("rate and quality lists differ in length: " + y.length + " vs " + x.length);
        }
        Integer[] order = new Integer[x.length];
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) {
                throw new IllegalArgumentException("point " + i + " is not finite: " + x[i] + ", " + y[i]);
            }
            order[i] = i;
        }
        Arrays.sort(order, (i, j) -> x[i] != x[j] ? Double.compare(x[i], x[j]) : Double.compare(y[i], y[j]));
        List<double[]> kept = new ArrayList<>();
        for (int i : order) {
            if (kept.isEmpty() || x[i] > kept.get(kept.size() - 1)[0]) {
                kept.add(new double[] {x[i], y[i]});
            }
        }
        double[][] out = new double[2][kept.size()];
        for (int i = 0; i < kept.size(); i++) {
            out[0][i] = kept.get(i)[0];
            out[1][i] = kept.get(i)[1];
        }
        return out;
    }

    private static double integral(double[] x, double[] y, double lo, double hi, Method method) {
        return method == Method.PCHIP ? hermiteIntegral(x, y, pchipSlopes(x, y), lo, hi) : cubicFitIntegral(x, y, lo, hi);
    }

    /** Fritsch-Carlson derivative estimates with SciPy's one-sided end conditions. */
    static double[] pchipSlopes(double[] x, double[] y) {
        int n = x.length;
        double[] h = new double[n - 1];
        double[] delta = new double[n - 1];
        for (int k = 0; k < n - 1; k++) {
            h[k] = x[k + 1] - x[k];
            delta[k] = (y[k + 1] - y[k]) / h[k];
        }
        double[] d = new double[n];
        if (n == 2) {
            d[0] = delta[0];
            d[1] = delta[0];
            return d;
        }
        for (int k = 1; k < n - 1; k++) {
            if (delta[k - 1] * delta[k] <= 0) {
                d[k] = 0;
            } else {
                double w1 = 2 * h[k] + h[k - 1];
                double w2 = h[k] + 2 * h[k - 1];
                d[k] = (w1 + w2) / (w1 / delta[k - 1] + w2 / delta[k]);
            }
        }
        d[0] = endSlope(h[0], h[1], delta[0], delta[1]);
        d[n - 1] = endSlope(h[n - 2], h[n - 3], delta[n - 2], delta[n - 3]);
        return d;
    }

    private static double endSlope(double h0, double h1, double m0, double m1) {
        double d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1);
        if (Math.signum(d) != Math.signum(m0)) {
            return 0;
        }
        if (Math.signum(m0) != Math.signum(m1) && Math.abs(d) > Math.abs(3 * m0)) {
            return 3 * m0;
        }
        return d;
    }

    /** Exact integral over [lo, hi] of the cubic Hermite interpolant through (x, y, d). */
    private static double hermiteIntegral(double[] x, double[] y, double[] d, double lo, double hi) {
        double total = 0;
        for (int k = 0; k < x.length - 1; k++) {
            double a = Math.max(lo, x[k]);
            double b = Math.min(hi, x[k + 1]);
            if (b <= a) {
                continue;
            }
            double hk = x[k + 1] - x[k];
            double y0 = y[k];
            double y1 = y[k + 1];
            double d0 = d[k] * hk;
            double d1 = d[k + 1] * hk;
            // p(t) = c0 + c1 t + c2 t^2 + c3 t^3 with t = (X - x_k) / h_k
            double c2 = -3 * y0 - 2 * d0 + 3 * y1 - d1;
            double c3 = 2 * y0 + d0 - 2 * y1 + d1;
            double ta = (a - x[k]) / hk;
            double tb = (b - x[k]) / hk;
            total += hk * (primitive(y0, d0, c2, c3, tb) - primitive(y0, d0, c2, c3, ta));
        }
        return total;
    }

    private static double primitive(double c0, double c1, double c2, double c3, double t) {
        return c0 * t + c1 * t * t / 2 + c2 * t * t * t / 3 + c3 * t * t * t * t / 4;
    }

    /**
     * Integral over [lo, hi] of the least-squares cubic through the points. The fit is done in
     * centred, scaled coordinates by Householder QR, which is well conditioned; the fitted cubic
     * is the same function as in raw coordinates.
     */
    private static double cubicFitIntegral(double[] x, double[] y, double lo, double hi) {
        int n = x.length;
        double mean = Arrays.stream(x).average().orElseThrow();
        double scale = 0;
        for (double v : x) {
            scale = Math.max(scale, Math.abs(v - mean));
        }
        double[][] a = new double[n][4];
        double[] rhs = y.clone();
        for (int i = 0; i < n; i++) {
            double t = (x[i] - mean) / scale;
            a[i][0] = 1;
            a[i][1] = t;
            a[i][2] = t * t;
            a[i][3] = t * t * t;
        }
        double[] c = leastSquares(a, rhs);
        double ta = (lo - mean) / scale;
        double tb = (hi - mean) / scale;
        return scale * (primitive(c[0], c[1], c[2], c[3], tb) - primitive(c[0], c[1], c[2], c[3], ta));
    }

    /** Solves min |A c - b| for a full-rank n x 4 matrix by Householder QR (A and b are overwritten). */
    private static double[] leastSquares(double[][] a, double[] b) {
        int n = a.length;
        int m = a[0].length;
        for (int k = 0; k < m; k++) {
            double norm = 0;
            for (int i = k; i < n; i++) {
                norm = Math.hypot(norm, a[i][k]);
            }
            if (norm == 0) {
                throw new IllegalArgumentException("the cubic fit is degenerate");
            }
            double alpha = a[k][k] > 0 ? -norm : norm;
            double[] v = new double[n];
            for (int i = k; i < n; i++) {
                v[i] = a[i][k];
            }
            v[k] -= alpha;
            double vv = 0;
            for (int i = k; i < n; i++) {
                vv += v[i] * v[i];
            }
            for (int j = k; j < m; j++) {
                double s = 0;
                for (int i = k; i < n; i++) {
                    s += v[i] * a[i][j];
                }
                s = 2 * s / vv;
                for (int i = k; i < n; i++) {
                    a[i][j] -= s * v[i];
                }
            }
            double s = 0;
            for (int i = k; i < n; i++) {
                s += v[i] * b[i];
            }
            s = 2 * s / vv;
            for (int i = k; i < n; i++) {
                b[i] -= s * v[i];
            }
        }
        double[] c = new double[m];
        for (int k = m - 1; k >= 0; k--) {
            double s = b[k];
            for (int j = k + 1; j < m; j++) {
                s -= a[k][j] * c[j];
            }
            c[k] = s / a[k][k];
        }
        return c;
    }
}
