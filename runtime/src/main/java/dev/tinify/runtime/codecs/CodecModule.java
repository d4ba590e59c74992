package dev.tinify.runtime.codecs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.nn.Layer;
import dev.tinify.runtime.nn.Module;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Common plumbing of the latent codecs: part registration (see {@link Parts}) and shape handling.
 * Codecs in other packages (the context codecs) extend it for the same part registration.
 */
public abstract class CodecModule extends Module implements LatentCodec {
    private final Parts parts;
    private final List<Module> partModules = new ArrayList<>();

    /** A codec whose parts are registered as {@code parts} says. */
    protected CodecModule(Parts parts) {
        this.parts = parts;
    }

    /** How this codec's parts are registered. */
    public final Parts parts() {
        return parts;
    }

    /**
     * Registers {@code part} as child {@code name} when the codec owns its parts; returns it. Parts
     * that are modules are remembered either way (see {@link #partModules()}).
     */
    protected final <T> T part(String name, T part) {
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

    /** Parts registered by reference (sub-codecs among them) follow this codec's training mode. */
    @Override
    protected Collection<Module> linked() {
        return parts == Parts.CHILDREN ? List.of() : partModules;
    }

    /** The parts given to {@link #part} that are modules, registered as children or not, in order. */
    protected final List<Module> partModules() {
        return Collections.unmodifiableList(partModules);
    }

    protected static NDArray apply(@Nullable Layer layer, NDArray x) {
        return layer == null ? x : layer.forward(x);
    }

    /** {@code [H, W]} of a [B,C,H,W] tensor, as CompressAI's {@code x.size()[-2:]}. */
    protected static List<Integer> spatial(NDArray x) {
        Shape s = x.getShape();
        if (s.dimension() != 4) {
            throw new IllegalArgumentException("expected a [B, C, H, W] latent, got " + s);
        }
        return List.of((int) s.get(2), (int) s.get(3));
    }

    /** Reads a spatial size given as a list of positive integers (e.g. from a .tfy header or JSON). */
    protected static List<Integer> sizeOf(Object shape, String codec) {
        if (!(shape instanceof List<?> list) || list.isEmpty()) {
            throw new IllegalArgumentException(codec + ": expected a shape [h, w], got " + shape);
        }
        List<Integer> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof Number n) || n.intValue() <= 0 || n.doubleValue() != n.intValue()) {
                throw new IllegalArgumentException(codec + ": expected a shape of positive integers, got " + shape);
            }
            out.add(n.intValue());
        }
        return out;
    }

    /** The single stream of a one-stream codec. */
    protected static List<byte[]> single(List<List<byte[]>> strings, String codec) {
        if (strings.size() != 1) {
            throw new IllegalArgumentException(codec + ": expected 1 stream, got " + strings.size());
        }
        return strings.get(0);
    }

    /** An entry of a map-shaped shape. */
    protected static Object entry(Map<?, ?> shape, String key, String codec) {
        Object v = shape.get(key);
        if (v == null) {
            throw new IllegalArgumentException(codec + ": shape has no '" + key + "' entry: " + shape);
        }
        return v;
    }
}
