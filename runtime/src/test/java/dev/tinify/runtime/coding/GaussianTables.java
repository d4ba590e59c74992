package dev.tinify.runtime.coding;

/**
 * CompressAI's default GaussianConditional tables, rebuilt here for benchmarks and as a check of
 * {@link QuantizedCdf#toCdfTables}: for each scale s of {@code exp(linspace(ln 0.11, ln 256, 64))},
 * center {@code c = ceil(s * 6.1094...)} (the 1e-9 tail quantile), pmf of symbol i at distance
 * {@code d = |i - c|} is {@code Phi((0.5 - d)/s) - Phi((-0.5 - d)/s)} and the tail mass is
 * {@code 2 Phi((-0.5 - c)/s)}; every step rounds to float32 as PyTorch does.
 */
final class GaussianTables {
    private GaussianTables() {}

    /**
     * The default scale table as PyTorch computes it in float32: {@code linspace} steps from the
     * start for the first half and back from the end for the second, then {@code exp}.
     */
    static float[] defaultScaleTable() {
        int steps = 64;
        float start = (float) Math.log(0.11);
        float end = (float) Math.log(256);
        float step = (end - start) / (steps - 1);
        float[] t = new float[steps];
        for (int i = 0; i < steps; i++) {
            float v = i < steps / 2 ? start + step * i : end - step * (steps - i - 1);
            t[i] = (float) Math.exp(v);
        }
        return t;
    }

    /** The tables CompressAI's {@code GaussianConditional.update_scale_table(scaleTable)} builds. */
    static CdfTables build(float[] scaleTable) {
        double multiplier = -quantile(1e-9 / 2);
        int k = scaleTable.length;
        int[] center = new int[k];
        int[] length = new int[k];
        int maxLength = 0;
        for (int i = 0; i < k; i++) {
            center[i] = (int) Math.ceil((float) (scaleTable[i] * multiplier));
            length[i] = 2 * center[i] + 1;
            maxLength = Math.max(maxLength, length[i]);
        }
        float[] pmf = new float[k * maxLength];
        float[] tail = new float[k];
        int[] offsets = new int[k];
        for (int i = 0; i < k; i++) {
            float s = scaleTable[i];
            for (int j = 0; j < maxLength; j++) {
                float d = Math.abs(j - center[i]);
                float upper = cumulative((0.5f - d) / s);
                float lower = cumulative((-0.5f - d) / s);
                pmf[i * maxLength + j] = upper - lower;
                if (j == 0) {
                    tail[i] = 2 * lower;
                }
            }
            offsets[i] = -center[i];
        }
        return QuantizedCdf.toCdfTables(pmf, length, tail, offsets);
    }

    /** {@code 0.5 * erfc(-x / sqrt 2)} with PyTorch's float32 steps. */
    private static float cumulative(float x) {
        float arg = (float) -Math.sqrt(0.5) * x;
        return 0.5f * (float) erfc(arg);
    }

    /** Standard normal quantile by bisection on {@link #erfc}. */
    private static double quantile(double p) {
        double lo = -40;
        double hi = 0;
        for (int i = 0; i < 200; i++) {
            double mid = (lo + hi) / 2;
            if (0.5 * erfc(-mid / Math.sqrt(2)) < p) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    /**
     * Complementary error function to about 1e-15 relative: the Maclaurin series of erf below 2,
     * the continued fraction {@code exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))}
     * above, by reflection for negative x.
     */
    static double erfc(double x) {
        if (x < 0) {
            return 2 - erfc(-x);
        }
        if (x < 2) {
            double term = x;
            double sum = x;
            double x2 = x * x;
            for (int n = 1; n < 100; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            return 1 - 2 / Math.sqrt(Math.PI) * sum;
        }
        // Modified Lentz evaluation of x + a1/(x + a2/(x + ...)) with a_n = n/2.
        double tiny = 1e-300;
        double f = x;
        double c = x;
        double d = 0;
        for (int n = 1; n < 500; n++) {
            double a = n / 2.0;
            d = x + a * d;
            d = 1 / (Math.abs(d) < tiny ? tiny : d);
            c = x + a / c;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }
}
