package dev.tinify.runtime.compile;

import ai.djl.ndarray.NDManager;
import dev.tinify.dsl.Kind;
import dev.tinify.dsl.Kinds;
import dev.tinify.dsl.Resolver;
import dev.tinify.dsl.Resolver.Part;
import dev.tinify.dsl.Spec;
import dev.tinify.dsl.SpecException;
import dev.tinify.dsl.kinds.Video;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.codecs.Parts;
import dev.tinify.runtime.layers.GraphModule;
import dev.tinify.runtime.layers.LayerModule;
import dev.tinify.runtime.layers.Sequential;
import dev.tinify.runtime.layers.ShapedLayer;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.model.MemoryBudget;
import dev.tinify.runtime.model.ModuleOrigins;
import dev.tinify.runtime.nn.Layer;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.nn.NativeAllocator;
import dev.tinify.runtime.video.ScaleSpaceFlow;
import dev.tinify.runtime.video.VideoModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * Compiles a spec into a {@link CompressionModel}. The spec is resolved first (parameters,
 * templates, channel checks: {@link Spec#resolve}); then every part is built by the
 * {@link KindImplementation} bound to its kind's declaration:
 *
 * <ul>
 *   <li>top-level modules become children of the model under their own names
 *       ({@code g_a.0.weight}, {@code h_a.2.bias}, {@code entropy_bottleneck.quantiles});</li>
 *   <li>a latent codec whose parts are all {@code $references} only uses those top-level modules
 *       (classic models: ScaleHyperprior, MeanScaleHyperprior, ...);</li>
 *   <li>a latent codec whose parts are all written inline owns them, named by their path
 *       ({@code latent_codec.hyper.h_a.0.weight}), as CompressAI's latent-codec models.</li>
 * </ul>
 *
 * A kind the catalog declares but no jar on the class path implements is reported as such, with
 * its location in the spec.
 */
public final class SpecCompiler {
    private final Spec spec;
    private final NDManager manager;
    private final Map<String, Module> topLevel = new LinkedHashMap<>();
    private final ModuleOrigins origins;

    private SpecCompiler(Spec spec, NDManager manager) {
        this.spec = spec;
        this.manager = manager;
        this.origins = new ModuleOrigins(spec.source());
    }

    /** Compiles with the spec's default parameters. */
    public static CompressionModel compile(Spec spec) {
        return compile(spec, Map.of());
    }

    /**
     * Compiles with parameter overrides (e.g. {@code N=16, M=24}, or a zoo quality's
     * {@link Spec#qualityParams}). The model owns a new base manager; parameters start with
     * PyTorch's default initialization.
     */
    public static CompressionModel compile(Spec spec, Map<String, ?> overrides) {
        if (spec.input() == Spec.Input.VIDEO) {
            throw new SpecException(spec.source().locate("#"), "", spec.name() + " is a video spec (input: video)",
                    "an image or point-cloud spec here; video specs are coded clip by clip (encode CLIP -m " + spec.name() + ")");
        }
        return build(spec, overrides, (c, resolved) ->
                CompressionModel.of(resolved, c.manager, c.topLevel, c.codec(resolved.latentCodec()), c.origins));
    }

    /**
     * Compiles a video spec ({@code input: video}) with parameter overrides: its latent codec is
     * the frame codec, whose parts the model names at its root. Parameters start with PyTorch's
     * default initialization.
     */
    public static VideoModel compileVideo(Spec spec, Map<String, ?> overrides) {
        if (spec.input() != Spec.Input.VIDEO) {
            throw new SpecException(spec.source().locate("#"), "", spec.name() + " is not a video spec",
                    "a spec with input: video and a frame codec such as scale_space_flow");
        }
        return build(spec, overrides, (c, resolved) -> {
            Part root = resolved.latentCodec();
            if (c.mode(root) != Parts.CHILDREN || !(c.codec(root) instanceof ScaleSpaceFlow frames)) {
                throw c.invalid(root, "the frame codec of a video spec is " + root.kindName() + (c.mode(root) != Parts.CHILDREN ? " with $references" : ""),
                        "a " + Video.SCALE_SPACE_FLOW.name() + " codec with its parts written inline");
            }
            return new VideoModel(resolved, c.manager, frames);
        });
    }

    /**
     * Resolves {@code spec}, builds its top-level modules in a new manager and lets {@code assemble}
     * make the model of them; the manager is closed when anything fails.
     */
    private static <T> T build(Spec spec, Map<String, ?> overrides, BiFunction<SpecCompiler, Resolver.Resolved, T> assemble) {
        Resolver.Resolved resolved = spec.resolve(overrides);
        MemoryBudget.checkParameters(resolved);
        NativeAllocator.configure();
        NDManager manager = NDManager.newBaseManager();
        try {
            SpecCompiler c = new SpecCompiler(spec, manager);
            for (Map.Entry<String, Part> e : resolved.modules().entrySet()) {
                c.topLevel.put(e.getKey(), c.module(e.getValue()));
            }
            return assemble.apply(c, resolved);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Builds one resolved part that is not a latent codec (a layer, a sequence or an entropy
     * model) in {@code manager}, for tools that inspect or run parts on their own.
     */
    public static Module part(Spec spec, NDManager manager, Part part) {
        return new SpecCompiler(spec, manager).module(part);
    }

    private SpecException invalid(Part p, String problem, String expected) {
        return new SpecException(spec.source().locate(p.path()), p.path(), problem, expected);
    }

    private KindImplementation implementation(Part p) {
        Kind kind = p.kind();
        KindImplementation impl = kind == null ? null : KindImplementations.of(kind);
        if (impl == null) {
            throw invalid(p, p.kindName() + " (" + (kind == null ? "" : kind.namespace().label() + " kind") + ") is not supported by this runtime yet",
                    "a kind the runtime implements");
        }
        return impl;
    }

    /** A top-level module, or a part used where a layer or entropy model belongs. */
    private Module module(Part p) {
        if (p.ref() != null && topLevel.containsKey(p.ref())) {
            return topLevel.get(p.ref());
        }
        Module m = build(p);
        origins.record(p.path(), m);
        return m;
    }

    private Module build(Part p) {
        if (p.isSequence()) {
            List<LayerModule> items = new ArrayList<>();
            for (Part item : p.items()) {
                items.add(layer(item));
            }
            return new Sequential(items);
        }
        if (p.isGraph()) {
            List<GraphModule.Step> steps = new ArrayList<>();
            for (Resolver.Step s : p.steps()) {
                steps.add(new GraphModule.Step(s.name(), s.inputs(), s.body() == null ? null : layer(s.body()),
                        s.body() == null || s.body().ref() == null, s.op(), s.numbers()));
            }
            return new GraphModule(steps, p.in() == null ? ShapedLayer.ANY : p.in());
        }
        return implementation(p).buildLayer(p, context(Parts.CHILDREN));
    }

    private LayerModule layer(Part p) {
        return typed(p, LayerModule.class, "a layer here; entropy models belong in a latent codec");
    }

    private <T> T typed(Part p, Class<T> type, String expected) {
        Module m = module(p);
        if (!type.isInstance(m)) {
            throw invalid(p, (p.ref() != null ? "$" + p.ref() : p.path()) + " is " + (p.kind() == null ? "a " + p.kindName() : p.kindName()), expected);
        }
        return type.cast(m);
    }

    private LatentCodec codec(Part p) {
        return implementation(p).buildCodec(p, context(mode(p)));
    }

    private BuildContext context(Parts parts) {
        return new BuildContext() {
            @Override
            public NDManager manager() {
                return manager;
            }

            @Override
            public Parts parts() {
                return parts;
            }

            @Override
            public LayerModule layer(Part part) {
                return SpecCompiler.this.layer(part);
            }

            @Override
            public <T> T part(Part part, Class<T> type, String expected) {
                return typed(part, type, expected);
            }

            @Override
            public @Nullable Layer optionalLayer(@Nullable Part part) {
                return part == null ? null : typed(part, Layer.class, "a layer or sequence of layers");
            }

            @Override
            public LatentCodec codec(Part part) {
                return SpecCompiler.this.codec(part);
            }

            @Override
            public SpecException invalid(Part part, String problem, String expected) {
                return SpecCompiler.this.invalid(part, problem, expected);
            }
        };
    }

    /**
     * Whether a codec owns its parts ({@link Parts#CHILDREN}: all written inline) or uses
     * top-level modules ({@link Parts#EXTERNAL}: all {@code $references}), recursively.
     */
    private Parts mode(Part codec) {
        Kind def = codec.kind();
        boolean external = false;
        boolean owned = false;
        for (Map.Entry<String, Object> a : codec.args().entrySet()) {
            Kinds.ArgDef ad = def == null ? null : def.arg(a.getKey());
            boolean isCodec = ad != null && (ad.type() == Kinds.ArgType.CODEC || ad.type() == Kinds.ArgType.CODEC_TEMPLATE);
            List<Part> parts = new ArrayList<>();
            if (a.getValue() instanceof Part p) {
                parts.add(p);
            } else if (a.getValue() instanceof Map<?, ?> m) {
                m.values().forEach(v -> parts.add((Part) v));
            }
            for (Part p : parts) {
                boolean ext = isCodec ? mode(p) == Parts.EXTERNAL : p.ref() != null;
                external |= ext;
                owned |= !ext;
            }
        }
        if (external && owned) {
            throw invalid(codec, "latent codec " + codec.kindName() + " mixes $references with parts written inline",
                    "all parts of a latent codec tree inline (named latent_codec.*) or all as $references (named at the top level)");
        }
        return external ? Parts.EXTERNAL : Parts.CHILDREN;
    }
}
