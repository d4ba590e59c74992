package dev.tinify.runtime.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.nn.Param;

/**
 * CompressAI's {@code NonNegativeParametrizer}: a raw value {@code r} stands for
 * {@code max(r, bound)^2 - pedestal}, with {@code pedestal = offset^2} and
 * {@code bound = sqrt(minimum + offset^2)}, which keeps the value at least {@code minimum} and
 * keeps gradients alive near zero. Keys: {@code pedestal} and {@code lower_bound.bound}.
 */
public final class NonNegativeParametrizer extends Module {
    /** CompressAI's default reparametrization offset, 2^-18. */
    public static final double DEFAULT_OFFSET = 0x1p-18;

    private final Param pedestal;
    private final LowerBound lowerBound;

    /** With the default offset 2^-18. */
    public NonNegativeParametrizer(NDManager manager, double minimum) {
        this(manager, minimum, DEFAULT_OFFSET);
    }

    public NonNegativeParametrizer(NDManager manager, double minimum, double offset) {
        double ped = offset * offset;
        this.pedestal = buffer("pedestal", manager.create(new float[] {(float) ped}, new Shape(1)));
        this.lowerBound = child("lower_bound", new LowerBound(manager, Math.sqrt(minimum + ped)));
    }

    /** The raw value representing {@code x}: {@code sqrt(max(x + pedestal, pedestal))}. */
    public NDArray init(NDArray x) {
        NDArray ped = pedestal.value();
        try (NDArray shifted = x.add(ped);
                NDArray clamped = shifted.maximum(ped)) {
            return clamped.sqrt();
        }
    }

    /** The value a raw parameter stands for: {@code lowerBound(raw)^2 - pedestal}. */
    public NDArray forward(NDArray raw) {
        try (NDArray bounded = lowerBound.forward(raw);
                NDArray squared = bounded.square()) {
            return squared.sub(pedestal.value());
        }
    }

    /** Applies the lower bound's gradient rule to the raw leaf parameter (after backward). */
    public void correctGradient(NDArray raw) {
        lowerBound.maskGradient(raw);
    }
}
