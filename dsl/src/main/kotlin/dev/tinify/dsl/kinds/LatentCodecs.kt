@file:JvmName("LatentCodecs")

package dev.tinify.dsl.kinds

import dev.tinify.dsl.Kind
import dev.tinify.dsl.IntExpr
import dev.tinify.dsl.IntList
import dev.tinify.dsl.KindProvider
import dev.tinify.dsl.Node
import dev.tinify.dsl.Resolver
import dev.tinify.dsl.Kinds.ArgType.BOOL
import dev.tinify.dsl.Kinds.ArgType.CODEC
import dev.tinify.dsl.Kinds.ArgType.CODEC_TEMPLATE
import dev.tinify.dsl.Kinds.ArgType.INT_LIST
import dev.tinify.dsl.Kinds.ArgType.LAYER
import dev.tinify.dsl.Kinds.ArgType.LAYER_TEMPLATE
import dev.tinify.dsl.Kinds.ArgType.STRING_LIST

// The latent codecs. A codec wrapping one entropy model is named after it, as in CompressAI. Each
// declaration is followed by its typed factory (Java: static method of LatentCodecs), where a null
// argument is not written, so the declared default applies.

private val QUANTIZERS = arrayOf("noise", "ste")

@JvmField
val ENTROPY_BOTTLENECK_CODEC: Kind = Kind.codec(ENTROPY_BOTTLENECK.name(), "compressai.latent_codecs.EntropyBottleneckLatentCodec")
    .required(ENTROPY_BOTTLENECK.name(), LAYER).choice("quantizer", "noise", *QUANTIZERS).build()

/** An [ENTROPY_BOTTLENECK_CODEC] call. */
@JvmOverloads
fun entropyBottleneckCodec(entropyBottleneck: Node, quantizer: String? = null): Node.Call =
    ENTROPY_BOTTLENECK_CODEC.call(entropyBottleneck, quantizer)

@JvmField
val GAUSSIAN_CONDITIONAL_CODEC: Kind = Kind.codec(GAUSSIAN_CONDITIONAL.name(), "compressai.latent_codecs.GaussianConditionalLatentCodec")
    .optional(GAUSSIAN_CONDITIONAL.name(), LAYER, GAUSSIAN_CONDITIONAL.call()).optional("entropy_parameters", LAYER)
    .choice("quantizer", "noise", *QUANTIZERS).optional("chunks", STRING_LIST, "[scales, means]").build()

/** A [GAUSSIAN_CONDITIONAL_CODEC] call. */
@JvmOverloads
fun gaussianConditionalCodec(
    gaussianConditional: Node? = null,
    entropyParameters: Node? = null,
    quantizer: String? = null,
    chunks: List<String>? = null,
): Node.Call = GAUSSIAN_CONDITIONAL_CODEC.call(gaussianConditional, entropyParameters, quantizer, chunks?.let { words(it) })

@JvmField
val GAUSSIAN_MIXTURE_CONDITIONAL_CODEC: Kind = Kind.codec(GAUSSIAN_MIXTURE_CONDITIONAL.name(),
    "(Cheng 2020) a GaussianMixtureConditional whose entropy_parameters give scales, means and weight logits")
    .required(GAUSSIAN_MIXTURE_CONDITIONAL.name(), LAYER).optional("entropy_parameters", LAYER).build()

/** A [GAUSSIAN_MIXTURE_CONDITIONAL_CODEC] call. */
@JvmOverloads
fun gaussianMixtureConditionalCodec(gaussianMixtureConditional: Node, entropyParameters: Node? = null): Node.Call =
    GAUSSIAN_MIXTURE_CONDITIONAL_CODEC.call(gaussianMixtureConditional, entropyParameters)

@JvmField
val HYPER: Kind = Kind.codec("hyper", "compressai.latent_codecs.HyperLatentCodec (abs_input: h_a reads |y| as ScaleHyperprior does)")
    .required(ENTROPY_BOTTLENECK.name(), LAYER).required("h_a", LAYER).required("h_s", LAYER)
    .choice("quantizer", "noise", *QUANTIZERS).optional("abs_input", BOOL, "false")
    .link("h_a", ENTROPY_BOTTLENECK.name()).link(ENTROPY_BOTTLENECK.name(), "h_s").latentStride("h_a").build()

/** A [HYPER] call. */
@JvmOverloads
fun hyper(entropyBottleneck: Node, hA: Node, hS: Node, quantizer: String? = null, absInput: Boolean? = null): Node.Call =
    HYPER.call(entropyBottleneck, hA, hS, quantizer, absInput)

@JvmField
val HYPERPRIOR: Kind = Kind.codec("hyperprior", "compressai.latent_codecs.HyperpriorLatentCodec")
    .required("y", CODEC).required("hyper", CODEC).build()

/** A [HYPERPRIOR] call. */
fun hyperprior(y: Node, hyper: Node): Node.Call = HYPERPRIOR.call(y, hyper)

@JvmField
val VBR_HYPERPRIOR: Kind = Kind.codec("vbr_hyperprior",
    "compressai.models.vbr ScaleHyperpriorVbr / MeanScaleHyperpriorVbr / JointAutoregressiveHierarchicalPriorsVbr (stage 2)")
    .required(GAUSSIAN_CONDITIONAL.name(), LAYER).required(ENTROPY_BOTTLENECK.name(), LAYER).required("h_a", LAYER).required("h_s", LAYER)
    .required("gain", LAYER).required("quant_offsets", LAYER).optional("z_step", LAYER).optional("z_step_bound", LAYER)
    .optional("variable_z", BOOL, "false").optional("abs_input", BOOL, "false").optional("chunks", STRING_LIST, "[scales, means]")
    .optional("context_prediction", LAYER).optional("entropy_parameters", LAYER).optional("scale_to_context", LAYER)
    .link("h_a", ENTROPY_BOTTLENECK.name()).link(ENTROPY_BOTTLENECK.name(), "h_s").latentStride("h_a").build()

/** A [VBR_HYPERPRIOR] call: the gain, offsets and hyperprior of a variable-rate model, with optional z step and context model. */
@JvmOverloads
fun vbrHyperprior(
    gaussianConditional: Node,
    entropyBottleneck: Node,
    hA: Node,
    hS: Node,
    gain: Node,
    quantOffsets: Node,
    zStep: Node? = null,
    zStepBound: Node? = null,
    variableZ: Boolean? = null,
    absInput: Boolean? = null,
    chunks: List<String>? = null,
    contextPrediction: Node? = null,
    entropyParameters: Node? = null,
    scaleToContext: Node? = null,
): Node.Call = VBR_HYPERPRIOR.call(gaussianConditional, entropyBottleneck, hA, hS, gain, quantOffsets, zStep, zStepBound, variableZ,
    absInput, chunks?.let { words(it) }, contextPrediction, entropyParameters, scaleToContext)

@JvmField
val GAIN_HYPER: Kind = Kind.codec("gain_hyper", "compressai.latent_codecs.GainHyperLatentCodec")
    .required(ENTROPY_BOTTLENECK.name(), LAYER).required("h_a", LAYER).required("h_s", LAYER)
    .link("h_a", ENTROPY_BOTTLENECK.name()).link(ENTROPY_BOTTLENECK.name(), "h_s").latentStride("h_a").build()

/** A [GAIN_HYPER] call. */
fun gainHyper(entropyBottleneck: Node, hA: Node, hS: Node): Node.Call = GAIN_HYPER.call(entropyBottleneck, hA, hS)

@JvmField
val GAIN_HYPERPRIOR: Kind = Kind.codec("gain_hyperprior", "compressai.latent_codecs.GainHyperpriorLatentCodec (gains: gain_table(levels, channels) per side)")
    .required("y", CODEC).required("hyper", CODEC).required("y_gain", LAYER).required("y_gain_inv", LAYER)
    .required("z_gain", LAYER).required("z_gain_inv", LAYER).build()

/** A [GAIN_HYPERPRIOR] call: gain and inverse gain on y and z around a [GAIN_HYPER]. */
fun gainHyperprior(y: Node, hyper: Node, yGain: Node, yGainInv: Node, zGain: Node, zGainInv: Node): Node.Call =
    GAIN_HYPERPRIOR.call(y, hyper, yGain, yGainInv, zGain, zGainInv)

@JvmField
val RASTER_SCAN: Kind = Kind.codec("raster_scan", "compressai.latent_codecs.RasterScanLatentCodec")
    .required(GAUSSIAN_CONDITIONAL.name(), LAYER).required("entropy_parameters", LAYER).required("context_prediction", LAYER)
    .choice("quantizer", "noise", *QUANTIZERS).build()

/** A [RASTER_SCAN] call; `quantizer = "ste"` gives the synthesis the latent rounded around its means. */
@JvmOverloads
fun rasterScan(gaussianConditional: Node, entropyParameters: Node, contextPrediction: Node, quantizer: String? = null): Node.Call =
    RASTER_SCAN.call(gaussianConditional, entropyParameters, contextPrediction, quantizer)

@JvmField
val CHECKERBOARD: Kind = Kind.codec("checkerboard", "compressai.latent_codecs.CheckerboardLatentCodec")
    .required("y", CODEC).required("entropy_parameters", LAYER).required("context_prediction", LAYER)
    .choice("anchor_parity", "even", "even", "odd").choice("forward_method", "twopass", "onepass", "twopass", "twopass_faster").build()

/** A [CHECKERBOARD] call. */
@JvmOverloads
fun checkerboard(
    y: Node,
    entropyParameters: Node,
    contextPrediction: Node,
    anchorParity: String? = null,
    forwardMethod: String? = null,
): Node.Call = CHECKERBOARD.call(y, entropyParameters, contextPrediction, anchorParity, forwardMethod)

@JvmField
val CHANNEL_GROUPS: Kind = Kind.codec("channel_groups", "compressai.latent_codecs.ChannelGroupsLatentCodec (merge first_and_last: Elic2022Chandelier's context)")
    .required("groups", INT_LIST).template("channel_context", LAYER_TEMPLATE, "groups", 1)
    .template("latent_codec", CODEC_TEMPLATE, "groups", 0).choice("merge", "all", "all", "first_and_last").build()

/**
 * A [CHANNEL_GROUPS] call. The templates are functions of the group index `k` (a symbolic
 * [IntExpr]), written once and built per group.
 */
@JvmOverloads
fun channelGroups(
    groups: IntList,
    channelContext: java.util.function.Function<IntExpr, Node>,
    latentCodec: java.util.function.Function<IntExpr, Node>,
    merge: String? = null,
): Node.Call {
    val k = IntExpr.name(Resolver.GROUP_VAR)
    return CHANNEL_GROUPS.call(groups, channelContext.apply(k), latentCodec.apply(k), merge)
}

@JvmField
val RESIDUAL_PREDICTION: Kind = Kind.codec("residual_prediction",
    "latent residual prediction (Minnen and Singh 2020): y_hat + prediction(cat(ctx, y_hat)), prediction ending in 0.5*tanh in the paper")
    .required("y", CODEC).required("prediction", LAYER).build()

/** A [RESIDUAL_PREDICTION] call: the y codec's latent corrected by a prediction from the ctx and the latent. */
fun residualPrediction(y: Node, prediction: Node): Node.Call = RESIDUAL_PREDICTION.call(y, prediction)

/** The most levels a [LEVELS] codec codes (its parts are named `_0` to `_7`). */
const val MAX_LEVELS: Int = 8

/**
 * One codec per level of a hierarchy (CompressAI's point-cloud models keep them in an
 * `nn.ModuleDict` named `_0`, `_1`, ...): the latent is every coded level's [B, channels[i],
 * lengths[i]] flattened and concatenated along the channels, [B, sum of channels[i]·lengths[i], 1].
 * Level i is coded by part `_i` as [B, channels[i], lengths[i], 1] when channels[i] > 0; a level
 * with 0 channels has no part and one stream of empty strings. Strings: one stream per level in
 * order; shape: `{y_0: ..., y_1: ...}`, `[]` for an uncoded level.
 */
@JvmField
val LEVELS: Kind = (0 until MAX_LEVELS).fold(
    Kind.codec("levels", "a dict of latent codecs, one per level (CompressAI's point-cloud models: latent_codec._i)")
        .required("channels", INT_LIST).required("lengths", INT_LIST),
) { b, i -> b.optional("_$i", CODEC) }.build()

/**
 * A point cloud's latent points [B, 3, m] coded through a learned transform (He et al. 2022,
 * CompressAI's XyzsLatentCodec, "learned" mode): z = analysis(points) by an entropy bottleneck,
 * decoded points synthesis(z_hat). One stream, shape `[m]`.
 */
@JvmField
val XYZ_LATENT: Kind = Kind.codec("xyz_latent", "compressai.models.pointcloud.hrtzxf2022.XyzsLatentCodec (learned mode)")
    .required("analysis", LAYER).required("synthesis", LAYER).required(ENTROPY_BOTTLENECK.name(), LAYER)
    .link("analysis", ENTROPY_BOTTLENECK.name()).link(ENTROPY_BOTTLENECK.name(), "synthesis").build()

/**
 * A latent point cloud [B, 3 + C, m] coded in two parts, as CompressAI's hrtzxf2022 model does:
 * `feat` codes the features as [B, C, m, 1], `xyz` the points as [B, 3, m]; one stream each,
 * shape `[feat's, xyz's]`, likelihoods `latent_feat` and `latent_xyz`.
 */
@JvmField
val CLOUD_LATENT: Kind = Kind.codec("cloud_latent", "hrtzxf2022's latent_codec dict {feat, xyz}")
    .required("feat", CODEC).required("xyz", CODEC).build()

/** Words such as `[means, scales]` as a spec list of names. */
private fun words(items: List<String>): dev.tinify.dsl.Expr =
    dev.tinify.dsl.Expr.ListOf(items.map { dev.tinify.dsl.Expr.Name(it) })

/** Registers the latent codec kinds with the catalog. */
class LatentCodecKinds : KindProvider {
    override fun kinds(): List<Kind> = listOf(
        ENTROPY_BOTTLENECK_CODEC, GAUSSIAN_CONDITIONAL_CODEC, GAUSSIAN_MIXTURE_CONDITIONAL_CODEC, HYPER, HYPERPRIOR, VBR_HYPERPRIOR, GAIN_HYPER, GAIN_HYPERPRIOR, RASTER_SCAN, CHECKERBOARD, CHANNEL_GROUPS, RESIDUAL_PREDICTION, LEVELS, XYZ_LATENT, CLOUD_LATENT,
    )
}
