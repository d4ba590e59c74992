package dev.tinify.runtime.codecs.context;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.codecs.CodecModule;
import dev.tinify.runtime.codecs.Parts;
import dev.tinify.runtime.nn.ForwardScope;
import dev.tinify.runtime.nn.Module;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Common plumbing of the context codecs: parts are registered as named children only when the
 * codec owns them ({@link Parts#CHILDREN}); otherwise the caller has registered them where its
 * state dict wants them (classic autoregressive models keep {@code context_prediction},
 * {@code entropy_parameters} and {@code gaussian_conditional} at the model root).
 */
abstract class ContextCodec extends CodecModule {

    ContextCodec(Parts parts) {
        super(parts);
    }

    /**
     * Opens a scope for work on this codec's parts and {@code inputs} (null ones, such as absent
     * side parameters, are skipped): the parts' arrays are attached whether or not the codec
     * registered them, so that nothing lands in the model's manager.
     */
    final ForwardScope scope(NDManager caller, @Nullable NDArray... inputs) {
        ForwardScope scope = ForwardScope.open(caller, this);
        if (parts() == Parts.EXTERNAL) {
            for (Module m : partModules()) {
                scope.input(m.arrays().toArray(new NDArray[0]));
            }
        }
        for (NDArray x : inputs) {
            if (x != null) {
                scope.input(x);
            }
        }
        return scope;
    }

    /** Checks a [B, C, H, W] array and returns its shape. */
    static Shape nchw(NDArray x, String what, String codec) {
        Shape s = x.getShape();
        if (s.dimension() != 4) {
            throw new IllegalArgumentException(codec + ": expected " + what + " as [B, C, H, W], got " + s);
        }
        return s;
    }

    /**
     * Checks that side parameters are given ({@code what} names them when missing) as
     * [B, P, H, W] with the latent's batch and spatial size; returns them.
     */
    static NDArray requireSide(@Nullable NDArray side, Shape latent, String what, String codec) {
        if (side == null) {
            throw new IllegalArgumentException(codec + ": " + what + " are required");
        }
        Shape p = nchw(side, "the side parameters", codec);
        if (p.get(0) != latent.get(0) || p.get(2) != latent.get(2) || p.get(3) != latent.get(3)) {
            throw new IllegalArgumentException(codec + ": side parameters " + p + " do not match the latent " + latent);
        }
        return side;
    }

    /** Reads a shape given as a list of {@code n} positive integers (as compress returns it). */
    static int[] sizes(Object shape, int n, String codec) {
        if (!(shape instanceof List<?> list) || list.size() != n) {
            throw new IllegalArgumentException(codec + ": expected a shape of " + n + " sizes, got " + shape);
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            if (!(list.get(i) instanceof Number v) || v.intValue() <= 0 || v.doubleValue() != v.intValue()) {
                throw new IllegalArgumentException(codec + ": expected a shape of positive integers, got " + shape);
            }
            out[i] = v.intValue();
        }
        return out;
    }

    /** Checks that every stream holds one string per batch item. */
    static void checkBatch(List<List<byte[]>> strings, int batch, String codec) {
        for (int i = 0; i < strings.size(); i++) {
            if (strings.get(i).size() != batch) {
                throw new IllegalArgumentException(codec + ": stream " + i + " has " + strings.get(i).size()
                        + " strings, expected one per batch item (" + batch + ")");
            }
        }
    }

    static List<Object> list(Object... items) {
        return new ArrayList<>(List.of(items));
    }
}
