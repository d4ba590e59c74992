package dev.tinify.dsl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The catalog of kinds a spec may use, with each kind's arguments (the names and defaults of
 * CompressAI's constructors) and its channel rule, so that a spec can be checked without running
 * anything. Layer kinds appear in {@code modules} and inside transforms; codec kinds appear in the
 * {@code latent_codec} tree.
 */
public final class Kinds {
    private Kinds() {}

    /** Where a kind may appear. */
    public enum Namespace {
        /** Transforms, layers and entropy models. */
        LAYER("layer"),
        /** Latent codecs. */
        CODEC("latent codec");

        private final String label;

        Namespace(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** What an argument holds. */
    public enum ArgType {
        INT("an integer"), FLOAT("a number"), BOOL("true or false"), CHOICE("one of the listed words"),
        INT_LIST("a list of integers"), STRING_LIST("a list of words"), INT_OR_INT_LIST("an integer or list of integers"),
        LAYER("a layer, a list of layers or a $reference"), CODEC("a latent codec or a $reference"),
        LAYER_TEMPLATE("a layer or list of layers, repeated per group (variable k)"),
        CODEC_TEMPLATE("a latent codec, repeated per group (variable k)");

        private final String description;

        ArgType(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }

        /** True for arguments that hold modules or codecs rather than values. */
        public boolean structural() {
            return this == LAYER || this == CODEC || this == LAYER_TEMPLATE || this == CODEC_TEMPLATE;
        }
    }

    /**
     * One argument. {@code defaultValue} is null for required arguments and for optional ones that
     * are simply absent by default ({@code required == false}). Template arguments are instantiated
     * once per entry of the list argument {@code templateOver}, starting at index
     * {@code templateStart}, named {@code y0, y1, ...}.
     */
    public record ArgDef(String name, ArgType type, boolean required, @Nullable Node defaultValue,
                         List<String> choices, @Nullable String templateOver, int templateStart) {
        public ArgDef {
            choices = List.copyOf(choices);
        }
    }

    /**
     * A kind: its arguments in positional order, the argument giving its input and output channel
     * counts (null: channels pass through unchanged), and the argument giving its spatial stride
     * ({@code downsamples} false: it upsamples by that factor).
     */
    public record KindDef(String name, Namespace namespace, String compressai, List<ArgDef> args,
                          @Nullable String inArg, @Nullable String outArg,
                          @Nullable String strideArg, boolean downsamples) {
        public KindDef {
            args = List.copyOf(args);
        }

        public @Nullable ArgDef arg(String argName) {
            for (ArgDef a : args) {
                if (a.name().equals(argName)) {
                    return a;
                }
            }
            return null;
        }

        /** {@code conv(in_channels, out_channels, kernel_size=5, stride=2)}. */
        public String signature() {
            StringBuilder sb = new StringBuilder(name).append('(');
            for (int i = 0; i < args.size(); i++) {
                ArgDef a = args.get(i);
                sb.append(i > 0 ? ", " : "").append(a.name());
                if (a.defaultValue() != null) {
                    sb.append('=').append(a.defaultValue() instanceof Expr e ? e.text() : "...");
                } else if (!a.required()) {
                    sb.append("=none");
                }
            }
            return sb.append(')').toString();
        }
    }

    private static final Map<String, KindDef> LAYERS = new LinkedHashMap<>();
    private static final Map<String, KindDef> CODECS = new LinkedHashMap<>();

    private static ArgDef req(String name, ArgType type) {
        return new ArgDef(name, type, true, null, List.of(), null, 0);
    }

    private static ArgDef opt(String name, ArgType type, String dflt) {
        return new ArgDef(name, type, false, ExprParser.parse(dflt), List.of(), null, 0);
    }

    private static ArgDef absent(String name, ArgType type) {
        return new ArgDef(name, type, false, null, List.of(), null, 0);
    }

    private static ArgDef choice(String name, String dflt, String... options) {
        return new ArgDef(name, ArgType.CHOICE, false, ExprParser.parse(dflt), Arrays.asList(options), null, 0);
    }

    private static ArgDef template(String name, ArgType type, String over, int start) {
        return new ArgDef(name, type, true, null, List.of(), over, start);
    }

    private static void layer(String name, String compressai, @Nullable String in, @Nullable String out,
                              @Nullable String stride, boolean down, ArgDef... args) {
        LAYERS.put(name, new KindDef(name, Namespace.LAYER, compressai, Arrays.asList(args), in, out, stride, down));
    }

    private static void codec(String name, String compressai, ArgDef... args) {
        CODECS.put(name, new KindDef(name, Namespace.CODEC, compressai, Arrays.asList(args), null, null, null, true));
    }

    static {
        ArgType i = ArgType.INT;
        ArgType f = ArgType.FLOAT;
        layer("conv", "compressai.models.utils.conv (Conv2d, padding kernel_size//2)", "in_channels", "out_channels", "stride", true,
                req("in_channels", i), req("out_channels", i), opt("kernel_size", i, "5"), opt("stride", i, "2"));
        layer("deconv", "compressai.models.utils.deconv (ConvTranspose2d, output_padding stride-1)", "in_channels", "out_channels", "stride", false,
                req("in_channels", i), req("out_channels", i), opt("kernel_size", i, "5"), opt("stride", i, "2"));
        layer("spectral_conv", "compressai.layers.SpectralConv2d (padding kernel_size//2, as conv)", "in_channels", "out_channels",
                "stride", true, req("in_channels", i), req("out_channels", i), opt("kernel_size", i, "5"), opt("stride", i, "2"));
        layer("spectral_deconv", "compressai.layers.SpectralConvTranspose2d (output_padding stride-1, as deconv)", "in_channels",
                "out_channels", "stride", false, req("in_channels", i), req("out_channels", i), opt("kernel_size", i, "5"),
                opt("stride", i, "2"));
        layer("conv2d", "torch.nn.Conv2d", "in_channels", "out_channels", "stride", true,
                req("in_channels", i), req("out_channels", i), req("kernel_size", i), opt("stride", i, "1"),
                opt("padding", i, "0"), opt("bias", ArgType.BOOL, "true"));
        layer("conv1x1", "compressai.layers.conv1x1", "in_ch", "out_ch", "stride", true,
                req("in_ch", i), req("out_ch", i), opt("stride", i, "1"));
        layer("conv3x3", "compressai.layers.conv3x3", "in_ch", "out_ch", "stride", true,
                req("in_ch", i), req("out_ch", i), opt("stride", i, "1"));
        layer("subpel_conv3x3", "compressai.layers.subpel_conv3x3 (conv3x3 + PixelShuffle)", "in_ch", "out_ch", "r", false,
                req("in_ch", i), req("out_ch", i), opt("r", i, "1"));
        layer("gdn", "compressai.layers.GDN", "in_channels", "in_channels", null, true,
                req("in_channels", i), opt("inverse", ArgType.BOOL, "false"), opt("beta_min", f, "1e-6"), opt("gamma_init", f, "0.1"));
        layer("igdn", "compressai.layers.GDN(inverse=True)", "in_channels", "in_channels", null, true,
                req("in_channels", i), opt("beta_min", f, "1e-6"), opt("gamma_init", f, "0.1"));
        layer("gdn1", "compressai.layers.GDN1", "in_channels", "in_channels", null, true,
                req("in_channels", i), opt("inverse", ArgType.BOOL, "false"), opt("beta_min", f, "1e-6"), opt("gamma_init", f, "0.1"));
        layer("relu", "torch.nn.ReLU", null, null, null, true);
        layer("leaky_relu", "torch.nn.LeakyReLU", null, null, null, true, opt("negative_slope", f, "0.01"));
        layer("qrelu", "compressai.layers.QReLU (clamp to [0, 2^bit_depth - 1], smooth backward outside)", null, null, null, true,
                opt("bit_depth", i, "8"), opt("beta", f, "100"));
        layer("masked_conv", "compressai.layers.MaskedConv2d", "in_channels", "out_channels", "stride", true,
                req("in_channels", i), req("out_channels", i), req("kernel_size", i), opt("stride", i, "1"),
                opt("padding", i, "0"), choice("mask_type", "A", "A", "B"));
        layer("checkerboard_masked_conv", "compressai.layers.CheckerboardMaskedConv2d", "in_channels", "out_channels", "stride", true,
                req("in_channels", i), req("out_channels", i), req("kernel_size", i), opt("stride", i, "1"), opt("padding", i, "0"));
        layer("residual_block", "compressai.layers.ResidualBlock", "in_ch", "out_ch", null, true,
                req("in_ch", i), req("out_ch", i));
        layer("residual_block_with_stride", "compressai.layers.ResidualBlockWithStride", "in_ch", "out_ch", "stride", true,
                req("in_ch", i), req("out_ch", i), opt("stride", i, "2"));
        layer("residual_block_upsample", "compressai.layers.ResidualBlockUpsample", "in_ch", "out_ch", "upsample", false,
                req("in_ch", i), req("out_ch", i), opt("upsample", i, "2"));
        layer("residual_bottleneck_block", "compressai.models.sensetime.ResidualBottleneckBlock", "in_ch", "out_ch", null, true,
                req("in_ch", i), req("out_ch", i));
        layer("attention_block", "compressai.layers.AttentionBlock", "N", "N", null, true, req("N", i));
        layer("channel_ramp", "compressai.layers.sequential_channel_ramp", "in_ch", "out_ch", null, true,
                req("in_ch", i), req("out_ch", i), opt("min_ch", i, "0"), opt("num_layers", i, "3"),
                choice("interp", "linear", "linear"), choice("layer", "conv2d", "conv2d"), choice("act", "relu", "relu", "leaky_relu"),
                opt("skip_last_act", ArgType.BOOL, "true"), opt("kernel_size", i, "1"), opt("stride", i, "1"), opt("padding", i, "0"));
        layer("conv1d", "torch.nn.Conv1d (stride 1, no padding; point-cloud models use kernel 1)", "in_channels", "out_channels", null, true,
                req("in_channels", i), req("out_channels", i), opt("kernel_size", i, "1"), opt("groups", i, "1"));
        layer("batch_norm1d", "torch.nn.BatchNorm1d (evaluation mode: running statistics)", "num_features", "num_features", null, true,
                req("num_features", i));
        layer("interleave", "compressai.layers.Interleave (channel shuffle between grouped convolutions)", null, null, null, true,
                req("groups", i));
        layer("max_pool_points", "torch.nn.AdaptiveMaxPool1d(1): the maximum over the points", null, null, null, true);
        layer("gain", "compressai.layers.Gain((channels, 1), factor)", "channels", "channels", null, true,
                req("channels", i), opt("factor", f, "1.0"));
        layer("reshape_points", "compressai.layers.Reshape((C // dims, dims)): [B, C, 1] to points [B, C/dims, dims]", null, null, null, true,
                opt("dims", i, "3"));
        layer("repeat", "(spec shorthand) the layer written times times in a row", null, null, null, true,
                req("times", i), req("layer", ArgType.LAYER));
        layer("entropy_bottleneck", "compressai.entropy_models.EntropyBottleneck", "channels", "channels", null, true,
                req("channels", i), opt("tail_mass", f, "1e-9"), opt("init_scale", f, "10.0"), opt("filters", ArgType.INT_LIST, "[3, 3, 3, 3]"));
        layer("gaussian_conditional", "compressai.entropy_models.GaussianConditional", null, null, null, true,
                opt("scale_bound", f, "0.11"), opt("tail_mass", f, "1e-9"));
        layer("gaussian_mixture_conditional", "compressai.entropy_models.GaussianMixtureConditional", null, null, null, true,
                opt("K", i, "3"), opt("scale_bound", f, "0.11"), opt("tail_mass", f, "1e-9"));
        layer("entropy_bottleneck_vbr", "compressai.entropy_models.EntropyBottleneckVbr (adjustable quantization step; parameters _matrixI, _biasI, _factorI)",
                "channels", "channels", null, true,
                req("channels", i), opt("tail_mass", f, "1e-9"), opt("init_scale", f, "10.0"), opt("filters", ArgType.INT_LIST, "[3, 3, 3, 3]"));
        layer("linear", "torch.nn.Linear (over the last dimension)", "in_features", "out_features", null, true,
                req("in_features", i), req("out_features", i));
        layer("softplus", "torch.nn.Softplus", null, null, null, true);
        layer("lower_bound", "compressai.ops.LowerBound", null, null, null, true, req("bound", f));
        layer("gain_table", "trained gains per rate level: scalars (the Gain parameter of CompressAI's *Vbr models) or, with channels, "
                + "one gain vector per level (Cui et al. 2021)", null, null, null, true,
                opt("levels", i, "8"), opt("channels", i, "0"));

        String quantizer = "noise";
        codec("entropy_bottleneck", "compressai.latent_codecs.EntropyBottleneckLatentCodec",
                req("entropy_bottleneck", ArgType.LAYER), choice("quantizer", quantizer, "noise", "ste"));
        codec("gaussian_conditional", "compressai.latent_codecs.GaussianConditionalLatentCodec",
                new ArgDef("gaussian_conditional", ArgType.LAYER, false, new Node.Call("gaussian_conditional", Map.of()), List.of(), null, 0), absent("entropy_parameters", ArgType.LAYER),
                choice("quantizer", quantizer, "noise", "ste"), opt("chunks", ArgType.STRING_LIST, "[scales, means]"));
        codec("gaussian_mixture_conditional", "(Cheng 2020) a GaussianMixtureConditional whose entropy_parameters give scales, means and weight logits",
                req("gaussian_mixture_conditional", ArgType.LAYER), absent("entropy_parameters", ArgType.LAYER));
        codec("hyper", "compressai.latent_codecs.HyperLatentCodec (abs_input: h_a reads |y| as ScaleHyperprior does)",
                req("entropy_bottleneck", ArgType.LAYER), req("h_a", ArgType.LAYER), req("h_s", ArgType.LAYER),
                choice("quantizer", quantizer, "noise", "ste"), opt("abs_input", ArgType.BOOL, "false"));
        codec("hyperprior", "compressai.latent_codecs.HyperpriorLatentCodec", req("y", ArgType.CODEC), req("hyper", ArgType.CODEC));
        codec("raster_scan", "compressai.latent_codecs.RasterScanLatentCodec",
                req("gaussian_conditional", ArgType.LAYER), req("entropy_parameters", ArgType.LAYER), req("context_prediction", ArgType.LAYER));
        codec("vbr_hyperprior", "compressai.models.vbr ScaleHyperpriorVbr / MeanScaleHyperpriorVbr / JointAutoregressiveHierarchicalPriorsVbr (stage 2)",
                req("gaussian_conditional", ArgType.LAYER), req("entropy_bottleneck", ArgType.LAYER), req("h_a", ArgType.LAYER),
                req("h_s", ArgType.LAYER), req("gain", ArgType.LAYER), req("quant_offsets", ArgType.LAYER),
                absent("z_step", ArgType.LAYER), absent("z_step_bound", ArgType.LAYER), opt("variable_z", ArgType.BOOL, "false"),
                opt("abs_input", ArgType.BOOL, "false"),
                opt("chunks", ArgType.STRING_LIST, "[scales, means]"), absent("context_prediction", ArgType.LAYER),
                absent("entropy_parameters", ArgType.LAYER), absent("scale_to_context", ArgType.LAYER));
        codec("gain_hyper", "compressai.latent_codecs.GainHyperLatentCodec",
                req("entropy_bottleneck", ArgType.LAYER), req("h_a", ArgType.LAYER), req("h_s", ArgType.LAYER));
        codec("gain_hyperprior", "compressai.latent_codecs.GainHyperpriorLatentCodec (gains: gain_table(levels, channels) per side)",
                req("y", ArgType.CODEC), req("hyper", ArgType.CODEC), req("y_gain", ArgType.LAYER), req("y_gain_inv", ArgType.LAYER),
                req("z_gain", ArgType.LAYER), req("z_gain_inv", ArgType.LAYER));
        codec("checkerboard", "compressai.latent_codecs.CheckerboardLatentCodec",
                req("y", ArgType.CODEC), req("entropy_parameters", ArgType.LAYER), req("context_prediction", ArgType.LAYER),
                choice("anchor_parity", "even", "even", "odd"), choice("forward_method", "twopass", "onepass", "twopass", "twopass_faster"));
        codec("channel_groups", "compressai.latent_codecs.ChannelGroupsLatentCodec (merge first_and_last: Elic2022Chandelier's context)",
                req("groups", ArgType.INT_LIST), template("channel_context", ArgType.LAYER_TEMPLATE, "groups", 1),
                template("latent_codec", ArgType.CODEC_TEMPLATE, "groups", 0), choice("merge", "all", "all", "first_and_last"));
    }

    /** The kind, or null. */
    public static @Nullable KindDef find(Namespace ns, String name) {
        return (ns == Namespace.LAYER ? LAYERS : CODECS).get(name);
    }

    /** All kinds of a namespace, in catalog order. */
    public static Collection<KindDef> all(Namespace ns) {
        return Collections.unmodifiableCollection((ns == Namespace.LAYER ? LAYERS : CODECS).values());
    }

    /** The closest of {@code candidates} to {@code word} by edit distance, or null if none is close. */
    public static @Nullable String nearest(String word, Collection<String> candidates) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(word, c);
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        return best != null && bestD <= Math.max(2, word.length() / 2) ? best : null;
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int x = 1; x <= a.length(); x++) {
            cur[0] = x;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(x - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    static List<String> names(Namespace ns) {
        return new ArrayList<>((ns == Namespace.LAYER ? LAYERS : CODECS).keySet());
    }
}
