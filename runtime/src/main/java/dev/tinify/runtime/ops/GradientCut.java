package dev.tinify.runtime.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A backward pass in stages, for gradient rules that depend on the sign of the incoming gradient
 * at an intermediate array (CompressAI's {@link LowerBound} on the Gaussian scales).
 *
 * <p>While a cut is open, {@link LowerBound#forwardExact} detaches its input {@code x} into a new
 * leaf and records the pair. {@link #backward} then runs the loss's backward with the graph kept,
 * which leaves at each leaf the gradient arriving from the loss; masks it with the bound's rule;
 * and runs one more backward of {@code sum(x * masked)} through every recorded {@code x} at once,
 * so each upstream module gets the gradient CompressAI would give it. Recorded inputs must not
 * depend on the output of another recorded bound (the scales only feed likelihoods).
 *
 * <p>The bound's second backward reaches back to {@code g_a} through {@code h_a}. So that
 * {@code g_a}'s backward runs once, not once per stage, the model detaches {@code y} at a
 * {@link #stage} as well: the first two passes stop at its leaf, and a last one carries the
 * leaf's whole gradient through {@code g_a}. Stages are resolved after the bounds, the latest
 * first, so a stage's input must not depend on a bound's output.
 *
 * <p>One cut per training step, opened and closed on the thread that runs forward and backward.
 */
public final class GradientCut implements AutoCloseable {
    private static final ThreadLocal<@Nullable GradientCut> OPEN = new ThreadLocal<>();

    /** A detached array; {@code bound} is null for a plain stage. */
    private record Pending(NDArray input, NDArray leaf, @Nullable NDArray bound) {}

    private final List<Pending> bounds = new ArrayList<>();
    private final List<Pending> stages = new ArrayList<>();
    private final NDManager manager;

    private GradientCut(NDManager manager) {
        this.manager = manager;
    }

    /**
     * Opens the cut of this thread; arrays it creates live in {@code manager} (the step's
     * sub-manager, closed after backward).
     */
    public static GradientCut open(NDManager manager) {
        if (OPEN.get() != null) {
            throw new IllegalStateException("a gradient cut is already open on this thread");
        }
        GradientCut c = new GradientCut(manager);
        OPEN.set(c);
        return c;
    }

    /** The cut open on this thread, or null. */
    static @Nullable GradientCut current() {
        return OPEN.get();
    }

    /**
     * Where a cut is open and autograd records, detaches {@code x} into a leaf whose gradient is
     * carried upstream after every bound's (see the class comment); otherwise returns {@code x}.
     */
    public static NDArray stage(NDArray x) {
        GradientCut cut = Autograd.recording() ? OPEN.get() : null;
        return cut == null ? x : cut.detach(x, null);
    }

    /** Detaches {@code x} into a leaf that takes the loss's gradient; returns the leaf. */
    NDArray cut(NDArray x, NDArray bound) {
        return detach(x, bound);
    }

    private NDArray detach(NDArray x, @Nullable NDArray bound) {
        // A handle of our own on x (a view in the graph): layers close their intermediates' handles.
        NDArray input = x.reshape(x.getShape());
        input.attach(manager);
        NDArray leaf = x.stopGradient();
        leaf.attach(manager);
        leaf.setRequiresGradient(true);
        (bound == null ? stages : bounds).add(new Pending(input, leaf, bound));
        return leaf;
    }

    /** Backward of {@code loss} with the lower-bound rule applied at every recorded cut. */
    public void backward(NDArray loss) {
        try (NDManager sub = manager.newSubManager()) {
            int passesLeft = 1 + (bounds.isEmpty() ? 0 : 1) + stages.size();
            run(loss, sub, --passesLeft > 0);
            NDArray total = null;
            for (Pending p : bounds) {
                NDArray g = p.leaf().getGradient();
                g.attach(sub);
                NDArray masked = g.mul(LowerBound.passing(p.leaf(), g, p.bound())).stopGradient();
                NDArray term = p.input().mul(masked).sum();
                total = total == null ? term : total.add(term);
            }
            if (total != null) {
                run(total, sub, --passesLeft > 0);
            }
            for (int i = stages.size() - 1; i >= 0; i--) {
                Pending p = stages.get(i);
                NDArray g = p.leaf().getGradient();
                g.attach(sub);
                run(p.input().mul(g.stopGradient()).sum(), sub, --passesLeft > 0);
            }
        }
    }

    /** One backward from a scalar; keeps the graph when another pass will traverse it. */
    private static void run(NDArray scalar, NDManager sub, boolean keepGraph) {
        NDArray seed = sub.ones(scalar.getShape(), scalar.getDataType());
        JniUtils.backward((PtNDArray) scalar, (PtNDArray) seed, keepGraph, false);
    }

    @Override
    public void close() {
        OPEN.remove();
        bounds.clear();
        stages.clear();
    }
}
