package dev.tinify.runtime.nn;

import ai.djl.ndarray.NDArray;

/**
 * One named tensor of a {@link Module}: a trainable parameter or a buffer (CDF tables, bounds,
 * masks). The value can be replaced (checkpoint load, {@code update()}); the previous array is
 * closed so that native memory does not grow.
 */
public final class Param {
    /** Whether an optimizer updates the tensor. */
    public enum Kind { PARAMETER, BUFFER }

    private final String name;
    private final Kind kind;
    private NDArray value;

    public Param(String name, Kind kind, NDArray value) {
        this.name = name;
        this.kind = kind;
        this.value = value;
        if (kind == Kind.PARAMETER) {
            value.setRequiresGradient(true);
        }
    }

    /** Local name inside its module, e.g. {@code weight} or {@code _quantized_cdf}. */
    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    public boolean trainable() {
        return kind == Kind.PARAMETER;
    }

    public NDArray value() {
        return value;
    }

    /**
     * Replaces the value; the new array moves into the old array's manager and the old one is
     * closed. Trainable parameters keep requiring gradients.
     */
    public void set(NDArray newValue) {
        NDArray old = value;
        if (newValue == old) {
            return;
        }
        newValue.attach(old.getManager());
        if (kind == Kind.PARAMETER) {
            newValue.setRequiresGradient(true);
        }
        value = newValue;
        old.close();
    }
}
