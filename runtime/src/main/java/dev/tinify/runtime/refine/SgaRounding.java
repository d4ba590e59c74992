package dev.tinify.runtime.refine;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.tinify.runtime.entropy.SurrogateRounding;
import dev.tinify.runtime.ops.Scalars;
import java.util.SplittableRandom;

/**
 * Stochastic Gumbel annealing (Yang, Bamler and Mandt, "Improving Inference for Neural Image
 * Compression", NeurIPS 2020): {@code x} becomes {@code floor(x) + w}, where {@code w} in (0, 1)
 * is a relaxed (Gumbel-softmax) sample of the rounding direction. With {@code f = x - floor(x)},
 * the direction's logits are {@code -atanh(f) / tau} (down) and {@code -atanh(1 - f) / tau} (up),
 * so a value near an integer goes to it almost surely and one half-way goes either way; the
 * relaxed sample of two categories at temperature {@code tau} is
 * {@code w = sigmoid((logit_up - logit_down + L) / tau)} with logistic noise {@code L} (the
 * difference of two Gumbel draws). As {@code tau} falls, {@code w} tends to hard rounding.
 *
 * <p>The noise comes from a seeded Java generator, not the engine's global one, so that an encode
 * gives the same bytes whatever else runs in the JVM.
 */
public final class SgaRounding implements SurrogateRounding {
    /** Keeps atanh finite at the ends of the unit interval. */
    private static final float EPS = 1e-5f;
    /** The initial (highest) temperature. */
    static final double MAX_TEMPERATURE = 0.5;
    /** Share of the steps spent at the initial temperature before it decays. */
    static final double WARM_UP = 0.35;
    /** The temperature falls by e^-1.3 over the decay, to about 0.14, as in the paper's schedule. */
    static final double DECAY = 1.3;

    private final float tau;
    private final SplittableRandom random;

    /** Rounding at temperature {@code tau}, with noise from {@code random}. */
    public SgaRounding(double tau, SplittableRandom random) {
        if (!(tau > 0) || Double.isInfinite(tau)) {
            throw new IllegalArgumentException("SGA temperature must be positive and finite, got " + tau);
        }
        this.tau = (float) tau;
        this.random = random;
    }

    /**
     * The temperature at {@code step} (0-based) of {@code steps}: the paper's exponential schedule
     * (0.5, held for the first 35 % of the steps, then decaying to 0.5 e^-1.3), stretched to the
     * number of steps instead of its 2,000.
     */
    public static double temperature(int step, int steps) {
        double warmUp = WARM_UP * steps;
        double decaySteps = Math.max(1, steps - warmUp);
        double t = Math.max(0, step - warmUp);
        return MAX_TEMPERATURE * Math.exp(-DECAY * t / decaySteps);
    }

    @Override
    public NDArray round(NDArray x) {
        try (NDArray floor = x.floor();
                NDArray frac = x.sub(floor);
                NDArray f = frac.clip(EPS, 1 - EPS);
                NDArray direction = atanhDifference(f);
                NDArray logits = Scalars.div(direction, tau);
                NDArray noise = logistic(x);
                NDArray noisy = logits.add(noise);
                NDArray scaled = Scalars.div(noisy, tau);
                NDArray w = Activation.sigmoid(scaled)) {
            return floor.add(w);
        }
    }

    /**
     * {@code atanh(f) - atanh(1 - f)} for f in (0, 1), as {@code 0.5 (log(1 + f) - log(1 - f) -
     * log(2 - f) + log(f))} (the engine has no atanh).
     */
    private static NDArray atanhDifference(NDArray f) {
        try (NDArray onePlus = f.add(1f);
                NDArray neg = f.neg();
                NDArray oneMinus = neg.add(1f);
                NDArray twoMinus = neg.add(2f);
                NDArray a = onePlus.log();
                NDArray b = oneMinus.log();
                NDArray c = twoMinus.log();
                NDArray d = f.log();
                NDArray ab = a.sub(b);
                NDArray abc = ab.sub(c);
                NDArray sum = abc.add(d)) {
            return Scalars.mul(sum, 0.5f);
        }
    }

    /** Logistic noise {@code log(u) - log(1 - u)} of {@code x}'s shape, in PyTorch-owned memory. */
    private NDArray logistic(NDArray x) {
        float[] l = new float[Math.toIntExact(x.size())];
        for (int i = 0; i < l.length; i++) {
            double u = random.nextDouble();
            while (u == 0) {
                u = random.nextDouble();
            }
            l[i] = (float) (Math.log(u) - Math.log1p(-u));
        }
        return Scalars.copyOf(x.getManager(), l, x.getShape());
    }
}
