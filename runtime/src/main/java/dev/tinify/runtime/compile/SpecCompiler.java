package dev.tinify.runtime.compile;

import ai.djl.ndarray.NDManager;
import dev.tinify.dsl.Kinds;
import dev.tinify.dsl.Resolver;
import dev.tinify.dsl.Resolver.Part;
import dev.tinify.dsl.Spec;
import dev.tinify.dsl.SpecException;
import dev.tinify.runtime.codecs.EntropyBottleneckLatentCodec;
import dev.tinify.runtime.codecs.GaussianConditionalLatentCodec;
import dev.tinify.runtime.codecs.GaussianMixtureConditionalLatentCodec;
import dev.tinify.runtime.codecs.HyperLatentCodec;
import dev.tinify.runtime.codecs.HyperpriorLatentCodec;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.codecs.Parts;
import dev.tinify.runtime.codecs.Quantizer;
import dev.tinify.runtime.codecs.context.ChannelGroupsLatentCodec;
import dev.tinify.runtime.codecs.context.CheckerboardLatentCodec;
import dev.tinify.runtime.codecs.context.RasterScanLatentCodec;
import dev.tinify.runtime.codecs.vbr.GainHyperLatentCodec;
import dev.tinify.runtime.codecs.vbr.GainHyperpriorLatentCodec;
import dev.tinify.runtime.codecs.vbr.GainTable;
import dev.tinify.runtime.codecs.vbr.VbrHyperpriorLatentCodec;
import dev.tinify.runtime.entropy.EntropyBottleneck;
import dev.tinify.runtime.entropy.GaussianConditional;
import dev.tinify.runtime.entropy.GaussianMixtureConditional;
import dev.tinify.runtime.layers.Activation;
import dev.tinify.runtime.layers.AttentionBlock;
import dev.tinify.runtime.layers.BatchNorm;
import dev.tinify.runtime.layers.ChannelRamp;
import dev.tinify.runtime.layers.CheckerboardMaskedConv2d;
import dev.tinify.runtime.layers.Conv1d;
import dev.tinify.runtime.layers.Conv2d;
import dev.tinify.runtime.layers.ConvTranspose2d;
import dev.tinify.runtime.layers.Gain;
import dev.tinify.runtime.layers.Gdn;
import dev.tinify.runtime.layers.Gdn1;
import dev.tinify.runtime.layers.Interleave;
import dev.tinify.runtime.layers.LayerModule;
import dev.tinify.runtime.layers.Linear;
import dev.tinify.runtime.layers.MaskedConv2d;
import dev.tinify.runtime.layers.MaxPoolPoints;
import dev.tinify.runtime.layers.QRelu;
import dev.tinify.runtime.layers.ReshapePoints;
import dev.tinify.runtime.layers.ResidualBlock;
import dev.tinify.runtime.layers.ResidualBlockUpsample;
import dev.tinify.runtime.layers.ResidualBlockWithStride;
import dev.tinify.runtime.layers.ResidualBottleneckBlock;
import dev.tinify.runtime.layers.Sequential;
import dev.tinify.runtime.layers.SpectralConv2d;
import dev.tinify.runtime.layers.SpectralConvTranspose2d;
import dev.tinify.runtime.layers.SubpelConv3x3;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.model.MemoryBudget;
import dev.tinify.runtime.nn.Layer;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.ops.LowerBound;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Compiles a spec into a {@link CompressionModel}. The spec is resolved first (parameters,
 * templates, channel checks: {@link Spec#resolve}); then every part is built from the runtime's
 * layers, entropy models and latent codecs:
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
 * A kind the catalog knows but this runtime cannot build yet is reported as such, with its
 * location in the spec.
 */
public final class SpecCompiler {
    private final Spec spec;
    private final NDManager manager;
    private final Map<String, Module> topLevel = new LinkedHashMap<>();

    private SpecCompiler(Spec spec, NDManager manager) {
        this.spec = spec;
        this.manager = manager;
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
        Resolver.Resolved resolved = spec.resolve(overrides);
        MemoryBudget.checkParameters(resolved);
        NDManager manager = NDManager.newBaseManager();
        try {
            SpecCompiler c = new SpecCompiler(spec, manager);
            for (Map.Entry<String, Part> e : resolved.modules().entrySet()) {
                c.topLevel.put(e.getKey(), c.module(e.getValue()));
            }
            LatentCodec codec = c.codec(resolved.latentCodec());
            return CompressionModel.of(resolved, manager, c.topLevel, codec);
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

    private SpecException unsupported(Part p, String what) {
        return new SpecException(spec.source().locate(p.path()), p.path(), what + " is not supported by this runtime yet",
                "a kind the runtime implements");
    }

    private SpecException invalid(Part p, String problem, String expected) {
        return new SpecException(spec.source().locate(p.path()), p.path(), problem, expected);
    }

    /** A top-level module: an entropy model or a layer. */
    private Module module(Part p) {
        return switch (p.kind()) {
            case "entropy_bottleneck" -> entropyBottleneck(p, EntropyBottleneck.Naming.LISTS);
            case "entropy_bottleneck_vbr" -> entropyBottleneck(p, EntropyBottleneck.Naming.LEGACY);
            case "gaussian_conditional" -> gaussianConditional(p);
            case "gaussian_mixture_conditional" -> new GaussianMixtureConditional(manager, i(p, "K"),
                    GaussianConditional.defaultScaleTable(), p.doubleArg("scale_bound"), p.doubleArg("tail_mass"));
            case "gain_table" -> new GainTable(manager, i(p, "levels"), i(p, "channels"));
            case "lower_bound" -> new LowerBound(manager, p.doubleArg("bound"));
            default -> layer(p);
        };
    }

    private EntropyBottleneck entropyBottleneck(Part p, EntropyBottleneck.Naming naming) {
        @SuppressWarnings("unchecked")
        List<Long> filters = (List<Long>) p.args().get("filters");
        int[] f = filters.stream().mapToInt(Long::intValue).toArray();
        return new EntropyBottleneck(manager, (int) p.intArg("channels"), p.doubleArg("tail_mass"), p.doubleArg("init_scale"), f,
                naming);
    }

    private GaussianConditional gaussianConditional(Part p) {
        return new GaussianConditional(manager, GaussianConditional.defaultScaleTable(), p.doubleArg("scale_bound"),
                p.doubleArg("tail_mass"));
    }

    private Module use(Part p) {
        String ref = p.ref();
        if (ref != null) {
            return topLevel.get(ref);
        }
        return module(p);
    }

    private LayerModule layer(Part p) {
        if (p.ref() != null && topLevel.get(p.ref()) instanceof LayerModule l) {
            return l;
        }
        if (p.isSequence()) {
            List<LayerModule> items = new ArrayList<>();
            for (Part item : p.items()) {
                items.add(layer(item));
            }
            return new Sequential(items);
        }
        int in = p.in() == null ? 0 : p.in();
        int out = p.out() == null ? 0 : p.out();
        return switch (p.kind()) {
            case "conv" -> new Conv2d(manager, in, out, i(p, "kernel_size"), i(p, "stride"));
            case "spectral_conv" -> new SpectralConv2d(manager, in, out, i(p, "kernel_size"), i(p, "stride"));
            case "spectral_deconv" -> new SpectralConvTranspose2d(manager, in, out, i(p, "kernel_size"), i(p, "stride"));
            case "qrelu" -> new QRelu(i(p, "bit_depth"), p.doubleArg("beta"));
            case "deconv" -> new ConvTranspose2d(manager, in, out, i(p, "kernel_size"), i(p, "stride"));
            case "conv2d" -> new Conv2d(manager, in, out, i(p, "kernel_size"), i(p, "stride"), i(p, "padding"), p.boolArg("bias"));
            case "conv1x1" -> Conv2d.conv1x1(manager, in, out, i(p, "stride"));
            case "conv3x3" -> Conv2d.conv3x3(manager, in, out, i(p, "stride"));
            case "subpel_conv3x3" -> new SubpelConv3x3(manager, in, out, i(p, "r"));
            case "gdn" -> new Gdn(manager, in, p.boolArg("inverse"), p.doubleArg("beta_min"), p.doubleArg("gamma_init"));
            case "igdn" -> new Gdn(manager, in, true, p.doubleArg("beta_min"), p.doubleArg("gamma_init"));
            case "gdn1" -> new Gdn1(manager, in, p.boolArg("inverse"), p.doubleArg("beta_min"), p.doubleArg("gamma_init"));
            case "relu" -> Activation.relu();
            case "softplus" -> Activation.softplus();
            case "linear" -> new Linear(manager, in, out);
            case "leaky_relu" -> Activation.leakyRelu((float) p.doubleArg("negative_slope"));
            case "masked_conv" -> new MaskedConv2d(manager, in, out, i(p, "kernel_size"), i(p, "stride"), i(p, "padding"),
                    MaskedConv2d.MaskType.valueOf(p.stringArg("mask_type")));
            // CompressAI's CheckerboardMaskedConv2d hides the centre tap, as type A does.
            case "checkerboard_masked_conv" -> new CheckerboardMaskedConv2d(manager, in, out, i(p, "kernel_size"), i(p, "stride"),
                    i(p, "padding"), MaskedConv2d.MaskType.A);
            case "residual_block" -> new ResidualBlock(manager, in, out);
            case "residual_block_with_stride" -> new ResidualBlockWithStride(manager, in, out, i(p, "stride"));
            case "residual_block_upsample" -> new ResidualBlockUpsample(manager, in, out, i(p, "upsample"));
            case "residual_bottleneck_block" -> new ResidualBottleneckBlock(manager, in, out);
            case "attention_block" -> new AttentionBlock(manager, in);
            case "channel_ramp" -> channelRamp(p, in, out);
            case "conv1d" -> new Conv1d(manager, in, out, i(p, "kernel_size"), i(p, "groups"));
            case "batch_norm1d" -> new BatchNorm(manager, in);
            case "interleave" -> new Interleave(i(p, "groups"));
            case "max_pool_points" -> new MaxPoolPoints();
            case "gain" -> new Gain(manager, in, p.doubleArg("factor"));
            case "reshape_points" -> new ReshapePoints(i(p, "dims"));
            case "entropy_bottleneck", "entropy_bottleneck_vbr", "gaussian_conditional", "gaussian_mixture_conditional", "gain_table",
                    "lower_bound" -> throw invalid(p, p.kind() + " is an entropy model, not a layer",
                    "a layer here; entropy models belong in a latent codec");
            default -> throw unsupported(p, "layer kind '" + p.kind() + "'");
        };
    }

    private static int i(Part p, String arg) {
        return Math.toIntExact(p.intArg(arg));
    }

    private LayerModule channelRamp(Part p, int in, int out) {
        int k = i(p, "kernel_size");
        int stride = i(p, "stride");
        int padding = i(p, "padding");
        Supplier<LayerModule> act = p.stringArg("act").equals("relu") ? Activation::relu : Activation::leakyRelu;
        return ChannelRamp.sequential(in, out, i(p, "min_ch"), i(p, "num_layers"), ChannelRamp.Interp.LINEAR,
                (a, b) -> new Conv2d(manager, a, b, k, stride, padding, true), act, p.boolArg("skip_last_act"));
    }

    // ---- latent codecs ----

    /**
     * Whether a codec owns its parts ({@link Parts#CHILDREN}: all written inline) or uses
     * top-level modules ({@link Parts#EXTERNAL}: all {@code $references}), recursively.
     */
    private Parts mode(Part codec) {
        Kinds.KindDef def = Kinds.find(Kinds.Namespace.CODEC, codec.kind());
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
            throw invalid(codec, "latent codec " + codec.kind() + " mixes $references with parts written inline",
                    "all parts of a latent codec tree inline (named latent_codec.*) or all as $references (named at the top level)");
        }
        return external ? Parts.EXTERNAL : Parts.CHILDREN;
    }

    private LatentCodec codec(Part p) {
        Parts parts = mode(p);
        return switch (p.kind()) {
            case "entropy_bottleneck" -> {
                if (!p.stringArg("quantizer").equals("noise")) {
                    throw unsupported(p, "entropy_bottleneck codec with quantizer " + p.stringArg("quantizer"));
                }
                yield new EntropyBottleneckLatentCodec(entropyModel(p.part("entropy_bottleneck"), EntropyBottleneck.class), parts);
            }
            case "gaussian_conditional" -> new GaussianConditionalLatentCodec(
                    entropyModel(p.part("gaussian_conditional"), GaussianConditional.class),
                    optionalLayer(p.part("entropy_parameters")), Quantizer.of(p.stringArg("quantizer")),
                    GaussianConditionalLatentCodec.Chunks.of(strings(p, "chunks")), parts);
            case "gaussian_mixture_conditional" -> new GaussianMixtureConditionalLatentCodec(
                    entropyModel(p.part("gaussian_mixture_conditional"), GaussianMixtureConditional.class),
                    optionalLayer(p.part("entropy_parameters")), parts);
            case "hyper" -> new HyperLatentCodec(entropyModel(p.part("entropy_bottleneck"), EntropyBottleneck.class),
                    optionalLayer(p.part("h_a")), optionalLayer(p.part("h_s")), Quantizer.of(p.stringArg("quantizer")),
                    p.boolArg("abs_input"), parts);
            case "hyperprior" -> {
                LatentCodec hyper = codec(p.part("hyper"));
                if (!(hyper instanceof HyperLatentCodec h)) {
                    throw invalid(p.part("hyper"), "the hyper branch of a hyperprior is a " + p.part("hyper").kind() + " codec",
                            "a hyper codec: hyper(entropy_bottleneck, h_a, h_s)");
                }
                yield new HyperpriorLatentCodec(codec(p.part("y")), h, parts);
            }
            case "vbr_hyperprior" -> vbrHyperprior(p, parts);
            case "gain_hyper" -> new GainHyperLatentCodec(entropyModel(p.part("entropy_bottleneck"), EntropyBottleneck.class),
                    typed(p.part("h_a"), Layer.class, "a layer or sequence"), typed(p.part("h_s"), Layer.class, "a layer or sequence"), parts);
            case "gain_hyperprior" -> {
                LatentCodec hyper = codec(p.part("hyper"));
                if (!(hyper instanceof GainHyperLatentCodec h)) {
                    throw invalid(p.part("hyper"), "the hyper branch of a gain_hyperprior is a " + p.part("hyper").kind() + " codec",
                            "a gain_hyper codec: gain_hyper(entropy_bottleneck, h_a, h_s)");
                }
                yield new GainHyperpriorLatentCodec(codec(p.part("y")), h, typed(p.part("y_gain"), GainTable.class, "a gain_table"),
                        typed(p.part("y_gain_inv"), GainTable.class, "a gain_table"), typed(p.part("z_gain"), GainTable.class, "a gain_table"),
                        typed(p.part("z_gain_inv"), GainTable.class, "a gain_table"), parts);
            }
            case "raster_scan" -> new RasterScanLatentCodec(entropyModel(p.part("gaussian_conditional"), GaussianConditional.class),
                    typed(p.part("entropy_parameters"), LayerModule.class, "a layer or sequence of 1x1 convolutions"),
                    typed(p.part("context_prediction"), MaskedConv2d.class, "a masked_conv"), parts);
            case "checkerboard" -> new CheckerboardLatentCodec(codec(p.part("y")),
                    typed(p.part("entropy_parameters"), LayerModule.class, "a layer or sequence of 1x1 convolutions"),
                    typed(p.part("context_prediction"), LayerModule.class, "a checkerboard_masked_conv"),
                    CheckerboardLatentCodec.AnchorParity.of(p.stringArg("anchor_parity")),
                    CheckerboardLatentCodec.ForwardMethod.of(p.stringArg("forward_method")), parts);
            case "channel_groups" -> {
                List<Layer> context = new ArrayList<>();
                for (Part c : p.parts("channel_context").values()) {
                    context.add(typed(c, LayerModule.class, "a layer or sequence of layers"));
                }
                List<LatentCodec> groups = new ArrayList<>();
                for (Part c : p.parts("latent_codec").values()) {
                    groups.add(codec(c));
                }
                @SuppressWarnings("unchecked")
                int[] sizes = ((List<Long>) p.args().get("groups")).stream().mapToInt(Long::intValue).toArray();
                ChannelGroupsLatentCodec.ContextGroups merge = p.stringArg("merge").equals("all")
                        ? ChannelGroupsLatentCodec.ContextGroups.ALL_PREVIOUS : ChannelGroupsLatentCodec.ContextGroups.FIRST_AND_PREVIOUS;
                yield new ChannelGroupsLatentCodec(sizes, merge, context, groups, parts);
            }
            default -> throw unsupported(p, "latent codec kind '" + p.kind() + "'");
        };
    }

    private VbrHyperpriorLatentCodec vbrHyperprior(Part p, Parts parts) {
        Part zStep = p.part("z_step");
        Part zStepBound = p.part("z_step_bound");
        if ((zStep == null) != (zStepBound == null)) {
            throw invalid(p, "z_step and z_step_bound must be given together", "both (a variable-step hyper-latent) or neither");
        }
        // CompressAI's vr_entbttlnck switch: without it the model has a plain bottleneck and no step network.
        if (p.boolArg("variable_z") != (zStep != null)) {
            throw invalid(p, p.boolArg("variable_z") ? "variable_z (vr_entbttlnck) needs z_step and z_step_bound"
                    : "z_step is given but variable_z (vr_entbttlnck) is false",
                    "variable_z true with z_step, z_step_bound and an entropy_bottleneck_vbr, or false with none of them");
        }
        EntropyBottleneck eb = entropyModel(p.part("entropy_bottleneck"), EntropyBottleneck.class);
        VbrHyperpriorLatentCodec.Hyper hyper = new VbrHyperpriorLatentCodec.Hyper(eb,
                typed(p.part("h_a"), Layer.class, "a layer or sequence"), typed(p.part("h_s"), Layer.class, "a layer or sequence"),
                p.boolArg("abs_input"), zStep == null ? null : typed(zStep, Layer.class, "a layer or sequence"),
                zStepBound == null ? null : typed(zStepBound, LowerBound.class, "a lower_bound"));
        Part cp = p.part("context_prediction");
        Part ep = p.part("entropy_parameters");
        Part sc = p.part("scale_to_context");
        if ((cp == null) != (ep == null) || (sc != null && cp == null)) {
            throw invalid(p, "context_prediction, entropy_parameters and scale_to_context come as a context model",
                    "context_prediction with entropy_parameters (and optionally scale_to_context), or none of them");
        }
        VbrHyperpriorLatentCodec.Context context = cp == null ? null : new VbrHyperpriorLatentCodec.Context(
                typed(cp, MaskedConv2d.class, "a masked_conv"), typed(ep, Layer.class, "a layer or sequence of 1x1 convolutions"),
                sc == null ? null : typed(sc, Layer.class, "a linear layer"));
        GaussianConditionalLatentCodec.Chunks chunks = GaussianConditionalLatentCodec.Chunks.of(strings(p, "chunks"));
        if (chunks == GaussianConditionalLatentCodec.Chunks.MEANS_SCALES) {
            throw invalid(p, "chunks [means, scales] is not supported by vbr_hyperprior", "[scales] or [scales, means]");
        }
        return new VbrHyperpriorLatentCodec(entropyModel(p.part("gaussian_conditional"), GaussianConditional.class),
                chunks == GaussianConditionalLatentCodec.Chunks.SCALES_MEANS, typed(p.part("gain"), GainTable.class, "a gain_table"),
                typed(p.part("quant_offsets"), Layer.class, "a sequence of linear layers"), hyper, context, parts);
    }

    private <T> T typed(@Nullable Part p, Class<T> type, String expected) {
        if (p == null) {
            throw new IllegalStateException("the catalog requires this part");
        }
        Module m = use(p);
        if (!type.isInstance(m)) {
            throw invalid(p, (p.ref() != null ? "$" + p.ref() : p.path()) + " is " + (p.isSequence() ? "a sequence" : p.kind()), expected);
        }
        return type.cast(m);
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Part p, String arg) {
        return (List<String>) p.args().get(arg);
    }

    private <T extends Module> T entropyModel(@Nullable Part p, Class<T> type) {
        if (p == null) {
            throw new IllegalStateException("the catalog requires this part");
        }
        Module m = use(p);
        if (!type.isInstance(m)) {
            throw invalid(p, "expected " + type.getSimpleName() + " but " + (p.ref() != null ? "$" + p.ref() : p.path()) + " is "
                    + (p.isSequence() ? "a sequence" : p.kind()), "a " + type.getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase());
        }
        return type.cast(m);
    }

    private @Nullable Layer optionalLayer(@Nullable Part p) {
        if (p == null) {
            return null;
        }
        Module m = use(p);
        if (!(m instanceof Layer l)) {
            throw invalid(p, p.path() + " is an entropy model", "a layer or sequence of layers");
        }
        return l;
    }
}
