@file:JvmName("Video")

package dev.tinify.dsl.kinds

import dev.tinify.dsl.Kind
import dev.tinify.dsl.KindProvider
import dev.tinify.dsl.Node
import dev.tinify.dsl.Kinds.ArgType.CODEC
import dev.tinify.dsl.Kinds.ArgType.FLOAT
import dev.tinify.dsl.Kinds.ArgType.INT
import dev.tinify.dsl.Kinds.ArgType.LAYER

// The kinds of video models (spec `input: video`): the scale-space volume and its warp, the
// mean-scale hyperprior of ScaleSpaceFlow, and the frame codec that composes them.

@JvmField
val GAUSSIAN_VOLUME: Kind = Kind.layer("gaussian_volume",
    "compressai ScaleSpaceFlow.gaussian_volume: [N, C, H, W] -> [N, C, num_levels + 1, H, W], the frame and num_levels Gaussian blurs")
    .optional("sigma0", FLOAT, "1.5").optional("num_levels", INT, "5").build()

/** A [GAUSSIAN_VOLUME] call. */
@JvmOverloads
fun gaussianVolume(sigma0: Number? = null, numLevels: Number? = null): Node.Call = GAUSSIAN_VOLUME.call(sigma0, numLevels)

@JvmField
val VOLUME_WARP: Kind = Kind.layer("volume_warp",
    "compressai ScaleSpaceFlow.warp_volume: trilinear sampling of a scale-space volume at (x + flow_x, y + flow_y, scale), border padding")
    .build()

/** A [VOLUME_WARP] call. */
fun volumeWarp(): Node.Call = VOLUME_WARP.call()

@JvmField
val MEAN_SCALE_HYPERPRIOR: Kind = Kind.codec("mean_scale_hyperprior",
    "compressai.models.video.google.ScaleSpaceFlow.Hyperprior: z = hyper_encoder(y) through an entropy bottleneck; " +
        "hyper_decoder_scale(z_hat) and hyper_decoder_mean(z_hat) give the Gaussian of y, quantized around the means (straight-through)")
    .required(ENTROPY_BOTTLENECK.name(), LAYER).required("hyper_encoder", LAYER).required("hyper_decoder_mean", LAYER)
    .required("hyper_decoder_scale", LAYER).optional(GAUSSIAN_CONDITIONAL.name(), LAYER, GAUSSIAN_CONDITIONAL.call())
    .link("hyper_encoder", ENTROPY_BOTTLENECK.name()).link(ENTROPY_BOTTLENECK.name(), "hyper_decoder_mean")
    .link(ENTROPY_BOTTLENECK.name(), "hyper_decoder_scale").latentStride("hyper_encoder").build()

/** A [MEAN_SCALE_HYPERPRIOR] call. */
@JvmOverloads
fun meanScaleHyperprior(
    entropyBottleneck: Node,
    hyperEncoder: Node,
    hyperDecoderMean: Node,
    hyperDecoderScale: Node,
    gaussianConditional: Node? = null,
): Node.Call = MEAN_SCALE_HYPERPRIOR.call(entropyBottleneck, hyperEncoder, hyperDecoderMean, hyperDecoderScale, gaussianConditional)

@JvmField
val SCALE_SPACE_FLOW: Kind = Kind.codec("scale_space_flow",
    "compressai.models.video.google.ScaleSpaceFlow: codes a frame given the previous reconstruction as ctx (none: a keyframe) " +
        "with a keyframe codec, a motion codec predicting a flow and a scale field, a warp of the reference's scale-space volume " +
        "and a residual codec")
    .required("img_encoder", LAYER).required("img_decoder", LAYER).required("img_hyperprior", CODEC)
    .required("res_encoder", LAYER).required("res_decoder", LAYER).required("res_hyperprior", CODEC)
    .required("motion_encoder", LAYER).required("motion_decoder", LAYER).required("motion_hyperprior", CODEC)
    .optional("gaussian_volume", LAYER, GAUSSIAN_VOLUME.call()).optional("warp", LAYER, VOLUME_WARP.call())
    .latentStride("img_encoder").build()

/** A [SCALE_SPACE_FLOW] call. */
@JvmOverloads
fun scaleSpaceFlow(
    imgEncoder: Node, imgDecoder: Node, imgHyperprior: Node,
    resEncoder: Node, resDecoder: Node, resHyperprior: Node,
    motionEncoder: Node, motionDecoder: Node, motionHyperprior: Node,
    gaussianVolume: Node? = null, warp: Node? = null,
): Node.Call = SCALE_SPACE_FLOW.call(imgEncoder, imgDecoder, imgHyperprior, resEncoder, resDecoder, resHyperprior,
    motionEncoder, motionDecoder, motionHyperprior, gaussianVolume, warp)

/** Registers the video kinds with the catalog. */
class VideoKinds : KindProvider {
    override fun kinds(): List<Kind> = listOf(GAUSSIAN_VOLUME, VOLUME_WARP, MEAN_SCALE_HYPERPRIOR, SCALE_SPACE_FLOW)
}
