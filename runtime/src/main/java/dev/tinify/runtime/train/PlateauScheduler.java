package dev.tinify.runtime.train;

/**
 * {@code torch.optim.lr_scheduler.ReduceLROnPlateau} in mode {@code min} with a relative threshold
 * of 1e-4, no cooldown and no minimum: after more than {@code patience} evaluations without a
 * relative improvement on the best loss, the learning rate is multiplied by {@code factor}.
 */
public final class PlateauScheduler {
    private static final double THRESHOLD = 1e-4;
    private static final double EPS = 1e-8;

    private final double factor;
    private final int patience;
    private double best = Double.POSITIVE_INFINITY;
    private int badEvaluations;

    /** The scheduler's saved state. */
    public record State(double best, int badEvaluations) {}

    public PlateauScheduler(double factor, int patience) {
        if (!(factor > 0 && factor < 1)) {
            throw new IllegalArgumentException("plateau factor must be in (0, 1), got " + factor);
        }
        if (patience < 0) {
            throw new IllegalArgumentException("plateau patience must be >= 0, got " + patience);
        }
        this.factor = factor;
        this.patience = patience;
    }

    /** Records one evaluation of {@code loss} and returns the learning rate to use from now on. */
    public double step(double loss, double lr) {
        if (loss < best * (1 - THRESHOLD)) {
            best = loss;
            badEvaluations = 0;
        } else {
            badEvaluations++;
        }
        if (badEvaluations > patience) {
            badEvaluations = 0;
            double reduced = lr * factor;
            if (lr - reduced > EPS) {
                return reduced;
            }
        }
        return lr;
    }

    public State state() {
        return new State(best, badEvaluations);
    }

    public void restore(State s) {
        best = s.best();
        badEvaluations = s.badEvaluations();
    }
}
