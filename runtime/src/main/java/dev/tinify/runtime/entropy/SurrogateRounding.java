package dev.tinify.runtime.entropy;

import ai.djl.ndarray.NDArray;
import org.jspecify.annotations.Nullable;

/**
 * A differentiable stand-in for rounding in the entropy models' evaluation-mode forward pass, for
 * optimizing latents through the rate (encoder-side refinement). While a {@link Scope} is open on
 * a thread, every {@link EntropyModel#quantize} in {@link EntropyModel.Mode#DEQUANTIZE} or {@code STE} mode on
 * that thread maps the residual {@code x - means} through {@link #round} instead of
 * {@code round}; coding ({@code SYMBOLS}) and training noise are unchanged. Being per thread, it
 * never changes what another thread computes with the same model.
 */
@FunctionalInterface
public interface SurrogateRounding {
    /** Values close to {@code round(x)} with a useful gradient with respect to {@code x}. */
    NDArray round(NDArray x);

    /** Opens {@code rounding} on this thread until {@link Scope#close()}. */
    static Scope open(SurrogateRounding rounding) {
        if (Scope.OPEN.get() != null) {
            throw new IllegalStateException("a surrogate rounding is already open on this thread");
        }
        Scope.OPEN.set(rounding);
        return new Scope();
    }

    /** The rounding open on this thread, or null. */
    static @Nullable SurrogateRounding current() {
        return Scope.OPEN.get();
    }

    /** Closes the surrogate of this thread; rounding is exact again. */
    final class Scope implements AutoCloseable {
        private static final ThreadLocal<@Nullable SurrogateRounding> OPEN = new ThreadLocal<>();

        private Scope() {}

        @Override
        public void close() {
            OPEN.remove();
        }
    }
}
