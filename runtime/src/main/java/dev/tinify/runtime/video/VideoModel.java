package dev.tinify.runtime.video;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.dsl.Resolver;
import dev.tinify.dsl.Spec;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.entropy.EntropyModels;
import dev.tinify.runtime.model.TrainableModel;
import dev.tinify.runtime.nn.ForwardScope;
import dev.tinify.runtime.nn.Module;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A compiled video spec ({@code input: video}): its frame codec ({@link #codec()}) with the
 * frame codec's parts named at the root, as CompressAI names a video model's sub-networks
 * ({@code img_encoder.0.weight}, {@code res_hyperprior.entropy_bottleneck.quantiles}). The model
 * owns one {@link NDManager} holding every parameter; {@link #close()} releases it. Built by
 * {@link dev.tinify.runtime.compile.SpecCompiler#compileVideo}; starts in evaluation mode.
 */
public final class VideoModel extends Module implements TrainableModel, AutoCloseable {
    private final Resolver.Resolved resolved;
    private final Map<String, Number> params;
    private final NDManager manager;
    private final ScaleSpaceFlow codec;

    /** Assembles the model; it takes ownership of {@code manager}. */
    public VideoModel(Resolver.Resolved resolved, NDManager manager, ScaleSpaceFlow codec) {
        this.resolved = resolved;
        this.manager = manager;
        this.codec = codec;
        Map<String, Number> p = new LinkedHashMap<>();
        resolved.params().forEach((k, v) -> {
            if (v instanceof Number n) {
                p.put(k, n);
            }
        });
        this.params = Collections.unmodifiableMap(p);
        codec.children().forEach(this::child);
        train(false);
    }

    /** The spec this model was compiled from. */
    @Override
    public Spec spec() {
        return resolved.spec();
    }

    /** The resolved spec. */
    public Resolver.Resolved resolved() {
        return resolved;
    }

    /** The architecture name, e.g. {@code ssf2020}. */
    @Override
    public String name() {
        return resolved.spec().name();
    }

    /** Resolved numeric parameters ({@code mid_planes}, {@code planes}, ...). */
    @Override
    public Map<String, Number> params() {
        return params;
    }

    /** A numeric parameter that must be an integer, for headers and messages. */
    public int intParam(String name) {
        Number n = params.get(name);
        if (n == null) {
            throw new IllegalArgumentException(name() + " has no parameter '" + name + "'");
        }
        return n.intValue();
    }

    /** Frame height and width must be multiples of this (pad first). */
    @Override
    public int downsamplingFactor() {
        return resolved.downsamplingFactor();
    }

    /** The frame codec. */
    public ScaleSpaceFlow codec() {
        return codec;
    }

    /** The manager owning every parameter and buffer. */
    @Override
    public NDManager manager() {
        return manager;
    }

    /** Builds the CDF tables of every entropy model (kept unless {@code force}); true if any was updated. */
    @Override
    public boolean update(boolean force) {
        return EntropyModels.updateAll(this, force, false);
    }

    /** The sum of the entropy bottlenecks' auxiliary losses, in the model's manager; the caller closes it. */
    @Override
    public NDArray auxLoss() {
        try (ForwardScope s = ForwardScope.open(manager, this)) {
            NDArray loss = EntropyModels.auxLoss(this);
            return s.keep(loss == null ? s.manager().create(0f) : loss);
        }
    }

    /** Loads a full state dict with CompressAI's names; refuses missing, unexpected or misshapen entries. */
    @Override
    public void load(Map<String, SafeTensors.Tensor> stateDict) {
        StateDicts.load(this, stateDict, "state dict for " + name());
    }

    /** Releases every parameter and buffer. */
    @Override
    public void close() {
        manager.close();
    }
}
