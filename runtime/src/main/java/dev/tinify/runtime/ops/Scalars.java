package dev.tinify.runtime.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Constants in PyTorch-owned memory, and element-wise operations with a scalar made that way.
 *
 * <p>DJL's own {@code x.mul(2f)}, {@code div}, {@code pow}, {@code maximum}... create the scalar
 * from a Java direct buffer that only its Java handle keeps alive, and close that handle right after
 * the operation. When autograd saved the scalar for backward, a garbage collection before backward
 * frees memory the graph still reads, giving NaN or run-dependent gradients. These helpers make
 * the constant with {@code full}, which PyTorch allocates and reference-counts itself, so the
 * saved tensor outlives its handle. The results equal DJL's bit for bit (same value, dtype and
 * type promotion); use them wherever a scalar operation may be recorded for backward. Additions
 * and subtractions of a scalar save nothing and need no helper.
 */
public final class Scalars {
    private Scalars() {}

    /** A 0-dim float32 array holding {@code value}, in PyTorch-owned memory. */
    public static NDArray constant(NDManager manager, float value) {
        return manager.full(new Shape(), value, DataType.FLOAT32);
    }

    /**
     * An array of {@code data} in PyTorch-owned memory: for constants made from Java data that an
     * operation recorded for backward may save, such as masks, when their handle may be closed
     * (for example by a forward scope) before backward.
     */
    public static NDArray copyOf(NDManager manager, float[] data, Shape shape) {
        try (NDArray wrapped = manager.create(data, shape)) {
            return wrapped.duplicate();
        }
    }

    /**
     * Indices in PyTorch-owned memory, for an indexing operation recorded for backward (which
     * saves the indices) when their handle may be closed before backward.
     */
    public static NDArray copyOf(NDManager manager, long[] indices) {
        try (NDArray wrapped = manager.create(indices)) {
            return wrapped.duplicate();
        }
    }

    /** {@code x * value}. */
    public static NDArray mul(NDArray x, float value) {
        try (NDArray c = constant(x.getManager(), value)) {
            return x.mul(c);
        }
    }

    /** {@code x / value}. */
    public static NDArray div(NDArray x, float value) {
        try (NDArray c = constant(x.getManager(), value)) {
            return x.div(c);
        }
    }

    /** {@code x ^ value}. */
    public static NDArray pow(NDArray x, float value) {
        try (NDArray c = constant(x.getManager(), value)) {
            return x.pow(c);
        }
    }

    /** {@code min(x, value)} element-wise. */
    public static NDArray minimum(NDArray x, float value) {
        try (NDArray c = constant(x.getManager(), value)) {
            return x.minimum(c);
        }
    }

    /** {@code max(x, value)} element-wise. */
    public static NDArray maximum(NDArray x, float value) {
        try (NDArray c = constant(x.getManager(), value)) {
            return x.maximum(c);
        }
    }
}
