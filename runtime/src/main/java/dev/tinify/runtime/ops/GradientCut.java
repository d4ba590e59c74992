package dev.tinify.runtime.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A backward pass in two stages, for gradient rules that depend on the sign of the incoming
 * gradient at an intermediate array (CompressAI's {@link LowerBound} on the Gaussian scales).
 *
 * <p>While a cut is open, {@link LowerBound#forwardExact} detaches its input {@code x} into a new
 * leaf and records the pair. {@link #backward} then runs the loss's backward with the graph kept,
 * which leaves at each leaf the gradient arriving from the loss; masks it with the bound's rule;
 * and runs one more backward of {@code sum(x * masked)} through every recorded {@code x} at once,
 * so each upstream module gets the gradient CompressAI would give it. Recorded inputs must not
 * depend on the output of another recorded bound (the scales only feed likelihoods).
 *
 * <p>One cut per training step, opened and closed on the thread that runs forward and backward.
 */
public final class GradientCut implements AutoCloseable {
    private static final ThreadLocal<@Nullable GradientCut> OPEN = new ThreadLocal<>();

    private record Pending(NDArray input, NDArray leaf, NDArray bound) {}

    private final List<Pending> pending = new ArrayList<>();
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

    /** Detaches {@code x} into a leaf that takes the loss's gradient; returns the leaf. */
    NDArray cut(NDArray x, NDArray bound) {
        // A handle of our own on x (a view in the graph): layers close their intermediates' handles.
        NDArray input = x.reshape(x.getShape());
        input.attach(manager);
        NDArray leaf = x.stopGradient();
        leaf.attach(manager);
        leaf.setRequiresGradient(true);
        pending.add(new Pending(input, leaf, bound));
        return leaf;
    }

    /** Backward of {@code loss} with the lower-bound rule applied at every recorded cut. */
    public void backward(NDArray loss) {
        try (NDManager sub = manager.newSubManager()) {
            NDArray seed = sub.ones(loss.getShape(), loss.getDataType());
            JniUtils.backward((PtNDArray) loss, (PtNDArray) seed, !pending.isEmpty(), false);
            NDArray total = null;
            for (Pending p : pending) {
                NDArray g = p.leaf().getGradient();
                g.attach(sub);
                NDArray masked = g.mul(LowerBound.passing(p.leaf(), g, p.bound())).stopGradient();
                NDArray term = p.input().mul(masked).sum();
                total = total == null ? term : total.add(term);
            }
            if (total != null) {
                NDArray seed2 = sub.ones(total.getShape(), total.getDataType());
                JniUtils.backward((PtNDArray) total, (PtNDArray) seed2, false, false);
            }
        }
    }

    @Override
    public void close() {
        OPEN.remove();
        pending.clear();
    }
}
