package dev.tinify.runtime.codecs.context;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.codecs.Parts;
import dev.tinify.runtime.nn.ForwardScope;
import dev.tinify.runtime.nn.Module;
import java.util.ArrayList;
import java.util.List;

/**
 * Common plumbing of the context codecs: parts are registered as named children only when the
 * codec owns them ({@link Parts#CHILDREN}); otherwise the caller has registered them where its
 * state dict wants them (classic autoregressive models keep {@code context_prediction},
 * {@code entropy_parameters} and {@code gaussian_conditional} at the model root).
 */
abstract class ContextCodec extends Module implements LatentCodec {
    private final Parts parts;
    private final List<Module> partModules = new ArrayList<>();

    ContextCodec(Parts parts) {
        this.parts = parts;
    }

    /** How this codec's parts are registered. */
    public final Parts parts() {
        return parts;
    }

    /** Registers {@code part} as child {@code name} when the codec owns its parts; returns it. */
    final <T> T part(String name, T part) {
        if (part instanceof Module m) {
            partModules.add(m);
        }
        if (parts == Parts.CHILDREN) {
            if (!(part instanceof Module m)) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": part '" + name + "' ("
                        + part.getClass().getName() + ") is not a Module, so it cannot be registered by name");
            }
            child(name, m);
        }
        return part;
    }

    /**
     * Opens a scope for work on this codec's parts and {@code inputs}: the parts' arrays are
     * attached whether or not the codec registered them, so that nothing lands in the model's
     * manager.
     */
    final ForwardScope scope(NDManager caller, NDArray... inputs) {
        ForwardScope scope = ForwardScope.open(caller, this);
        if (parts == Parts.EXTERNAL) {
            for (Module m : partModules) {
                scope.input(m.arrays().toArray(new NDArray[0]));
            }
        }
        scope.input(inputs);
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
