package dev.tinify.runtime.refine;

import java.util.Locale;

/**
 * How much work an encoder spends refining a latent before coding it (see {@link LatentRefiner}):
 * {@code steps} Adam steps at {@code learningRate} with the rounding surrogate {@code method}.
 * Zero steps codes the latent of the analysis transform as it is ({@link #NONE}).
 *
 * @param steps optimizer steps, 0 to {@value #MAX_STEPS}
 * @param method the differentiable stand-in for rounding
 * @param learningRate Adam's step size on the latent
 */
public record Refinement(int steps, Method method, double learningRate) {
    /** The most steps one image may take. */
    public static final int MAX_STEPS = 100_000;
    /** Adam's step size by default: large enough that a few hundred steps move latents across rounding boundaries. */
    public static final double DEFAULT_LEARNING_RATE = 0.02;
    /** No refinement: the latent is coded as the analysis transform gives it. */
    public static final Refinement NONE = new Refinement(0, Method.SGA, DEFAULT_LEARNING_RATE);

    /** The stand-in for rounding whose gradient the optimizer follows. */
    public enum Method {
        /**
         * Stochastic Gumbel annealing (Yang et al. 2020): each latent is rounded down or up at
         * random, with probabilities relaxed by a temperature that anneals towards hard rounding.
         */
        SGA,
        /** Rounding with a straight-through (identity) gradient: the baseline. */
        STE;

        /** Parses {@code sga} or {@code ste}. */
        public static Method parse(String name) {
            for (Method m : values()) {
                if (m.name().equalsIgnoreCase(name)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown refinement method '" + name + "' (expected sga or ste)");
        }

        /** The lower-case name. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Refinement {
        if (steps < 0 || steps > MAX_STEPS) {
            throw new IllegalArgumentException("refinement steps must be in 0.." + MAX_STEPS + ", got " + steps);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("refinement learning rate must be positive and finite, got " + learningRate);
        }
        java.util.Objects.requireNonNull(method, "method");
    }

    /** {@code steps} steps of stochastic Gumbel annealing at the default learning rate. */
    public static Refinement steps(int steps) {
        return new Refinement(steps, Method.SGA, DEFAULT_LEARNING_RATE);
    }

    /** Whether any step is taken. */
    public boolean enabled() {
        return steps > 0;
    }
}
