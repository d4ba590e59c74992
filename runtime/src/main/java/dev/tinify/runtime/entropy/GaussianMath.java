package dev.tinify.runtime.entropy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import dev.tinify.runtime.ops.Scalars;

/**
 * The complementary error function and the standard normal distribution, which DJL lacks.
 *
 * <p>Two versions serve two purposes. The {@code double} functions are accurate to about 1e-15
 * relative; rounded to float they give the correctly rounded float32 erfc, which is what the
 * Gaussian CDF tables need to come out integer-identical to CompressAI's. The {@link NDArray}
 * version is a float32, differentiable approximation (relative error below 1e-6) for
 * likelihoods during training and evaluation. The {@code double} functions use {@link StrictMath},
 * so they give the same bits on every JVM: coding tables built from them are reproducible.
 */
public final class GaussianMath {
    private static final double SQRT_PI = Math.sqrt(Math.PI);
    /** Below this the erf series is used, above it the continued fraction. */
    private static final double SERIES_LIMIT = 1.0;
    private static final int FRACTION_TERMS = 200;

    /** {@code -(2^-0.5)} as float32, the constant CompressAI multiplies by. */
    static final float MINUS_SQRT_HALF = (float) -Math.pow(2, -0.5);

    /**
     * Coefficients of a Chebyshev fit: erfc(z) = t exp(-z^2 + P(t)), t = 1 / (1 + z/2), z >= 0,
     * with relative error below 1.2e-7 (Numerical Recipes, "erfcc").
     */
    private static final float[] FIT = {
        -1.26551223f, 1.00002368f, 0.37409196f, 0.09678418f, -0.18628806f,
        0.27886807f, -1.13520398f, 1.48851587f, -0.82215223f, 0.17087277f
    };

    private GaussianMath() {}

    /** erfc(x) in double precision. */
    public static double erfc(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        if (x < 0) {
            return 2 - erfc(-x);
        }
        if (x < SERIES_LIMIT) {
            return 1 - erfSeries(x);
        }
        if (x > 27) {
            return 0; // below the smallest double
        }
        // erfc(x) = exp(-x^2) / sqrt(pi) / (x + (1/2) / (x + (2/2) / (x + (3/2) / ...))), evaluated
        // from the tail; from x = 1 on, at most 200 terms converge to double precision.
        // the fraction converges faster the larger x is: fewer terms in the far tail
        int terms = (int) Math.min(FRACTION_TERMS, 12 + 250 / (x * x));
        double f = x;
        for (int n = terms; n >= 1; n--) {
            f = x + (n / 2.0) / f;
        }
        return StrictMath.exp(-x * x) / (SQRT_PI * f);
    }

    /** erf(x) = 2/sqrt(pi) exp(-x^2) sum (2x^2)^n x / (1*3*...*(2n+1)): positive terms, no cancellation. */
    private static double erfSeries(double x) {
        double x2 = 2 * x * x;
        double term = x;
        double sum = x;
        for (int n = 1; n < 500; n++) {
            term *= x2 / (2 * n + 1);
            sum += term;
            if (term < sum * 1e-17) {
                break;
            }
        }
        return 2 / SQRT_PI * StrictMath.exp(-x * x) * sum;
    }

    /**
     * erf(x) in double precision: the series where erf is small (no cancellation against 1),
     * {@code 1 - erfc(x)} elsewhere. Rounded to float it is the correctly rounded float32 erf,
     * which CompressAI's Gaussian-mixture CDFs need to come out integer-identical.
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        if (x < 0) {
            return -erf(-x);
        }
        return x < SERIES_LIMIT ? erfSeries(x) : 1 - erfc(x);
    }

    /** erfc rounded to float32: the value an exactly rounded float32 erfc returns. */
    public static float erfc(float x) {
        return (float) erfc((double) x);
    }

    /** Standard normal CDF Phi(x) = erfc(-x / sqrt 2) / 2, in double precision. */
    public static double normalCdf(double x) {
        return 0.5 * erfc(-x / Math.sqrt(2));
    }

    /**
     * The standard normal quantile Phi^-1(p) for 0 &lt; p &lt; 1, accurate to double precision
     * (Newton steps on {@link #normalCdf} from a logistic first guess).
     */
    public static double normalQuantile(double p) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("normal quantile: probability must be in (0, 1), got " + p);
        }
        if (p > 0.5) {
            return -normalQuantile(1 - p);
        }
        // Solve Phi(x) = p for x <= 0; work with log Phi, which is well conditioned in the tail.
        double x = -Math.sqrt(-2 * StrictMath.log(p));
        double logP = StrictMath.log(p);
        for (int i = 0; i < 100; i++) {
            double cdf = normalCdf(x);
            double pdf = StrictMath.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
            double step = (StrictMath.log(cdf) - logP) * cdf / pdf;
            x -= step;
            if (Math.abs(step) <= 1e-16 * Math.abs(x)) {
                break;
            }
        }
        return x;
    }

    /**
     * Element-wise erfc of a float32 array; differentiable, relative error below 1e-6 wherever
     * the result is a normal float.
     */
    public static NDArray erfc(NDArray x) {
        NDArray z = x.abs();
        NDArray t = Scalars.pow(Scalars.mul(z, 0.5f).add(1f), -1f);
        NDArray poly = Scalars.mul(t, FIT[FIT.length - 1]);
        for (int i = FIT.length - 2; i >= 1; i--) {
            poly = poly.add(FIT[i]).mul(t);
        }
        // z^2 = hi^2 + lo (2 hi + lo) with hi = z on a 1/256 grid: hi^2 is exact in float32 for
        // z < 16, so exp(-z^2) keeps float precision in the far tail. hi carries no gradient; the
        // lo term gives the exact derivative -2z.
        NDArray hi = Scalars.div(Scalars.mul(z, 256f).round(), 256f);
        NDArray lo = z.sub(hi);
        NDArray exponent = poly.add(FIT[0]).sub(lo.mul(Scalars.mul(hi, 2f).add(lo)));
        NDArray positive = t.mul(exponent.exp()).mul(hi.square().neg().exp());
        return NDArrays.where(x.lt(0f), positive.neg().add(2f), positive);
    }

    /**
     * Standard normal CDF of a float32 array in CompressAI's operation order:
     * {@code 0.5 * erfc(-(2^-0.5) * x)}.
     */
    public static NDArray standardizedCumulative(NDArray x) {
        return Scalars.mul(erfc(Scalars.mul(x, MINUS_SQRT_HALF)), 0.5f);
    }

    /** {@link #standardizedCumulative} on one float32 value with a correctly rounded erfc. */
    public static float standardizedCumulative(float x) {
        return 0.5f * erfc(MINUS_SQRT_HALF * x);
    }
}
