package dev.tinify.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node of a compiled network, named the way CompressAI names its {@code nn.Module}s so that
 * {@link #stateDict()} keys equal CompressAI's state-dict keys ({@code g_a.0.weight},
 * {@code latent_codec.hyper.entropy_bottleneck.quantiles}, ...).
 *
 * <p>Every array a module owns lives in the manager given at construction (the model's manager).
 * Forward passes run in a short-lived sub-manager: callers attach {@link #arrays()} with
 * {@code tempAttachAll} so that results of operations on parameters do not land in the model's
 * manager (see {@link ForwardScope}).
 */
public abstract class Module {
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final Map<String, Param> params = new LinkedHashMap<>();
    private boolean training;

    /** Adds a named child; its keys get the prefix {@code name.}. */
    protected final <M extends Module> M child(String name, M module) {
        if (children.containsKey(name) || params.containsKey(name)) {
            throw new IllegalStateException("duplicate name '" + name + "' in " + getClass().getSimpleName());
        }
        children.put(name, module);
        return module;
    }

    /** Adds a trainable parameter. */
    protected final Param parameter(String name, NDArray init) {
        return add(new Param(name, Param.Kind.PARAMETER, init));
    }

    /** Adds a buffer: saved and loaded, never trained. */
    protected final Param buffer(String name, NDArray init) {
        return add(new Param(name, Param.Kind.BUFFER, init));
    }

    private Param add(Param p) {
        if (children.containsKey(p.name()) || params.containsKey(p.name())) {
            throw new IllegalStateException("duplicate name '" + p.name() + "' in " + getClass().getSimpleName());
        }
        params.put(p.name(), p);
        return p;
    }

    /** Direct children in registration order. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Own parameters and buffers in registration order. */
    public final Map<String, Param> ownParams() {
        return Collections.unmodifiableMap(params);
    }

    /** Every parameter and buffer of the subtree, keyed by its full dotted name. */
    public final Map<String, Param> stateDict() {
        Map<String, Param> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Param> out) {
        for (Param p : params.values()) {
            // A module that is one tensor (CompressAI's bare nn.Parameter attributes) names it by its own name.
            out.put(p.name().isEmpty() ? prefix.substring(0, Math.max(0, prefix.length() - 1)) : prefix + p.name(), p);
        }
        for (Map.Entry<String, Module> e : children.entrySet()) {
            e.getValue().collect(prefix + e.getKey() + ".", out);
        }
    }

    /** Trainable parameters of the subtree, keyed by full name. */
    public final Map<String, Param> parameters() {
        Map<String, Param> out = new LinkedHashMap<>();
        stateDict().forEach((k, p) -> {
            if (p.trainable()) {
                out.put(k, p);
            }
        });
        return out;
    }

    /** All arrays of the subtree, for {@link NDManager#tempAttachAll}. */
    public final NDList arrays() {
        List<NDArray> list = new ArrayList<>();
        stateDict().values().forEach(p -> list.add(p.value()));
        return new NDList(list);
    }

    /** Switches the subtree, and the modules it {@linkplain #linked links}, between training (noise / STE quantization) and evaluation. */
    public final void train(boolean on) {
        training = on;
        children.values().forEach(c -> c.train(on));
        linked().forEach(m -> m.train(on));
    }

    /**
     * Modules that follow this one's training mode without being its children (they add no
     * state-dict keys here): a latent codec whose parts are top-level modules is no child of its
     * model, yet its forward pass must switch to noise when the model trains.
     */
    protected Collection<Module> linked() {
        return List.of();
    }

    public final boolean isTraining() {
        return training;
    }

    /** Number of trainable scalars in the subtree. */
    public final long parameterCount() {
        return parameters().values().stream().mapToLong(p -> p.value().size()).sum();
    }
}
