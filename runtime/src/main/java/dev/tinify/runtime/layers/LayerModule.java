package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;
import dev.tinify.runtime.nn.Layer;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.ops.Autograd;
import org.jspecify.annotations.Nullable;

/** Base of every layer: a named {@link Module} with one-in one-out forward and shape arithmetic. */
public abstract class LayerModule extends Module implements ShapedLayer {

    /** A short description for error messages, e.g. {@code Conv2d(3→16, k5, s2)}. */
    public abstract String describe();

    /** Checks an input channel count against a fixed {@code expected} count and returns it. */
    protected final int requireChannels(int expected, int actual) {
        if (actual != expected) {
            throw inputError("expects " + expected + " input channels, got " + actual,
                    "in_channels " + actual + " here, what the layer is fed");
        }
        return actual;
    }

    /** A refusal of this layer's input: {@code problem} follows the layer's description. */
    protected final LayerInputException inputError(String problem, String expected) {
        return new LayerInputException(this, problem, expected);
    }

    /** Checks that {@code x} is a 4-D NCHW array with the channels this layer needs. */
    protected final void requireInput(NDArray x) {
        if (x.getShape().dimension() != 4) {
            throw inputError("expects an NCHW array, got shape " + x.getShape(), "an image-shaped [B, C, H, W] input");
        }
        int in = inChannels();
        if (in != ANY) {
            requireChannels(in, Math.toIntExact(x.getShape().get(1)));
        }
    }

    /**
     * Applies {@code steps} in order, closing each intermediate once the next step has consumed
     * it; {@code x} itself is never closed.
     */
    protected static NDArray pipe(NDArray x, Layer... steps) {
        NDArray cur = x;
        for (Layer l : steps) {
            NDArray next = l.forward(cur);
            if (cur != x && next != cur) {
                cur.close();
            }
            cur = next;
        }
        return cur;
    }

    /**
     * {@code out + other} for a residual connection, consuming {@code out}: in place unless autograd
     * records (an in-place update could corrupt a tensor saved for backward).
     */
    protected static NDArray addConsuming(NDArray out, NDArray other) {
        if (!Autograd.recording()) {
            return out.addi(other);
        }
        try (out) {
            return out.add(other);
        }
    }

    /**
     * A residual connection: {@code branch + shortcut(x)}, or {@code branch + x} when
     * {@code shortcut} is null, consuming {@code branch}.
     */
    protected static NDArray addShortcut(NDArray branch, NDArray x, @Nullable Layer shortcut) {
        if (shortcut == null) {
            return addConsuming(branch, x);
        }
        try (NDArray identity = shortcut.forward(x)) {
            return addConsuming(branch, identity);
        }
    }

    @Override
    public String toString() {
        return describe();
    }
}
