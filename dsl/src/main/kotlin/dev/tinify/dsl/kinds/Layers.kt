@file:JvmName("Layers")

package dev.tinify.dsl.kinds

import dev.tinify.dsl.Kind
import dev.tinify.dsl.KindProvider
import dev.tinify.dsl.Node
import dev.tinify.dsl.Kinds.ArgType.BOOL
import dev.tinify.dsl.Kinds.ArgType.FLOAT
import dev.tinify.dsl.Kinds.ArgType.INT
import dev.tinify.dsl.Kinds.ArgType.INT_LIST

// The layer kinds: convolutions, normalizations, activations and blocks of CompressAI. Each
// declaration is followed by its typed factory (Java: static method of Layers), where a null
// argument is not written, so the declared default applies.

@JvmField
val CONV: Kind = Kind.layer("conv", "compressai.models.utils.conv (Conv2d, padding kernel_size//2)")
    .required("in_channels", INT).required("out_channels", INT).optional("kernel_size", INT, "5").optional("stride", INT, "2")
    .channels("in_channels", "out_channels").downsamples("stride").build()

/** A [CONV] call. */
@JvmOverloads
fun conv(inChannels: Number, outChannels: Number, kernelSize: Number? = null, stride: Number? = null): Node.Call = CONV.call(inChannels, outChannels, kernelSize, stride)

@JvmField
val DECONV: Kind = Kind.layer("deconv", "compressai.models.utils.deconv (ConvTranspose2d, output_padding stride-1)")
    .required("in_channels", INT).required("out_channels", INT).optional("kernel_size", INT, "5").optional("stride", INT, "2")
    .channels("in_channels", "out_channels").upsamples("stride").build()

/** A [DECONV] call. */
@JvmOverloads
fun deconv(inChannels: Number, outChannels: Number, kernelSize: Number? = null, stride: Number? = null): Node.Call = DECONV.call(inChannels, outChannels, kernelSize, stride)

@JvmField
val SPECTRAL_CONV: Kind = Kind.layer("spectral_conv", "compressai.layers.SpectralConv2d (padding kernel_size//2, as conv)")
    .required("in_channels", INT).required("out_channels", INT).optional("kernel_size", INT, "5").optional("stride", INT, "2")
    .channels("in_channels", "out_channels").downsamples("stride").build()

/** A [SPECTRAL_CONV] call. */
@JvmOverloads
fun spectralConv(inChannels: Number, outChannels: Number, kernelSize: Number? = null, stride: Number? = null): Node.Call =
    SPECTRAL_CONV.call(inChannels, outChannels, kernelSize, stride)

@JvmField
val SPECTRAL_DECONV: Kind = Kind.layer("spectral_deconv", "compressai.layers.SpectralConvTranspose2d (output_padding stride-1, as deconv)")
    .required("in_channels", INT).required("out_channels", INT).optional("kernel_size", INT, "5").optional("stride", INT, "2")
    .channels("in_channels", "out_channels").upsamples("stride").build()

/** A [SPECTRAL_DECONV] call. */
@JvmOverloads
fun spectralDeconv(inChannels: Number, outChannels: Number, kernelSize: Number? = null, stride: Number? = null): Node.Call =
    SPECTRAL_DECONV.call(inChannels, outChannels, kernelSize, stride)

@JvmField
val CONV2D: Kind = Kind.layer("conv2d", "torch.nn.Conv2d")
    .required("in_channels", INT).required("out_channels", INT).required("kernel_size", INT).optional("stride", INT, "1")
    .optional("padding", INT, "0").optional("bias", BOOL, "true")
    .channels("in_channels", "out_channels").downsamples("stride").build()

/** A [CONV2D] call. */
@JvmOverloads
fun conv2d(inChannels: Number, outChannels: Number, kernelSize: Number, stride: Number? = null, padding: Number? = null, bias: Boolean? = null): Node.Call = CONV2D.call(inChannels, outChannels, kernelSize, stride, padding, bias)

@JvmField
val CONV1X1: Kind = Kind.layer("conv1x1", "compressai.layers.conv1x1")
    .required("in_ch", INT).required("out_ch", INT).optional("stride", INT, "1")
    .channels("in_ch", "out_ch").downsamples("stride").build()

/** A [CONV1X1] call. */
@JvmOverloads
fun conv1x1(inCh: Number, outCh: Number, stride: Number? = null): Node.Call = CONV1X1.call(inCh, outCh, stride)

@JvmField
val CONV3X3: Kind = Kind.layer("conv3x3", "compressai.layers.conv3x3")
    .required("in_ch", INT).required("out_ch", INT).optional("stride", INT, "1")
    .channels("in_ch", "out_ch").downsamples("stride").build()

/** A [CONV3X3] call. */
@JvmOverloads
fun conv3x3(inCh: Number, outCh: Number, stride: Number? = null): Node.Call = CONV3X3.call(inCh, outCh, stride)

@JvmField
val SUBPEL_CONV3X3: Kind = Kind.layer("subpel_conv3x3", "compressai.layers.subpel_conv3x3 (conv3x3 + PixelShuffle)")
    .required("in_ch", INT).required("out_ch", INT).optional("r", INT, "1")
    .channels("in_ch", "out_ch").upsamples("r").build()

/** A [SUBPEL_CONV3X3] call. */
@JvmOverloads
fun subpelConv3x3(inCh: Number, outCh: Number, r: Number? = null): Node.Call = SUBPEL_CONV3X3.call(inCh, outCh, r)

@JvmField
val GDN: Kind = Kind.layer("gdn", "compressai.layers.GDN")
    .required("in_channels", INT).optional("inverse", BOOL, "false").optional("beta_min", FLOAT, "1e-6").optional("gamma_init", FLOAT, "0.1")
    .channels("in_channels", "in_channels").build()

/** A [GDN] call. */
@JvmOverloads
fun gdn(inChannels: Number, inverse: Boolean? = null, betaMin: Number? = null, gammaInit: Number? = null): Node.Call = GDN.call(inChannels, inverse, betaMin, gammaInit)

@JvmField
val IGDN: Kind = Kind.layer("igdn", "compressai.layers.GDN(inverse=True)")
    .required("in_channels", INT).optional("beta_min", FLOAT, "1e-6").optional("gamma_init", FLOAT, "0.1")
    .channels("in_channels", "in_channels").build()

/** A [IGDN] call. */
@JvmOverloads
fun igdn(inChannels: Number, betaMin: Number? = null, gammaInit: Number? = null): Node.Call = IGDN.call(inChannels, betaMin, gammaInit)

@JvmField
val GDN1: Kind = Kind.layer("gdn1", "compressai.layers.GDN1")
    .required("in_channels", INT).optional("inverse", BOOL, "false").optional("beta_min", FLOAT, "1e-6").optional("gamma_init", FLOAT, "0.1")
    .channels("in_channels", "in_channels").build()

/** A [GDN1] call. */
@JvmOverloads
fun gdn1(inChannels: Number, inverse: Boolean? = null, betaMin: Number? = null, gammaInit: Number? = null): Node.Call = GDN1.call(inChannels, inverse, betaMin, gammaInit)

@JvmField
val RELU: Kind = Kind.layer("relu", "torch.nn.ReLU").build()

/** A [RELU] call. */
fun relu(): Node.Call = RELU.call()

@JvmField
val LEAKY_RELU: Kind = Kind.layer("leaky_relu", "torch.nn.LeakyReLU").optional("negative_slope", FLOAT, "0.01").build()

/** A [LEAKY_RELU] call. */
@JvmOverloads
fun leakyRelu(negativeSlope: Number? = null): Node.Call = LEAKY_RELU.call(negativeSlope)

@JvmField
val TANH: Kind = Kind.layer("tanh", "torch.nn.Tanh").build()

/** A [TANH] call. */
fun tanh(): Node.Call = TANH.call()

@JvmField
val IDENTITY: Kind = Kind.layer("identity", "torch.nn.Identity").build()

/** An [IDENTITY] call. */
fun identity(): Node.Call = IDENTITY.call()

@JvmField
val QRELU: Kind = Kind.layer("qrelu", "compressai.layers.QReLU (clamp to [0, 2^bit_depth - 1], smooth backward outside)")
    .optional("bit_depth", INT, "8").optional("beta", FLOAT, "100").build()

/** A [QRELU] call. */
@JvmOverloads
fun qrelu(bitDepth: Number? = null, beta: Number? = null): Node.Call = QRELU.call(bitDepth, beta)

@JvmField
val MASKED_CONV: Kind = Kind.layer("masked_conv", "compressai.layers.MaskedConv2d")
    .required("in_channels", INT).required("out_channels", INT).required("kernel_size", INT).optional("stride", INT, "1")
    .optional("padding", INT, "0").choice("mask_type", "A", "A", "B")
    .channels("in_channels", "out_channels").downsamples("stride").build()

/** A [MASKED_CONV] call. */
@JvmOverloads
fun maskedConv(inChannels: Number, outChannels: Number, kernelSize: Number, stride: Number? = null, padding: Number? = null, maskType: String? = null): Node.Call = MASKED_CONV.call(inChannels, outChannels, kernelSize, stride, padding, maskType)

@JvmField
val CHECKERBOARD_MASKED_CONV: Kind = Kind.layer("checkerboard_masked_conv", "compressai.layers.CheckerboardMaskedConv2d")
    .required("in_channels", INT).required("out_channels", INT).required("kernel_size", INT).optional("stride", INT, "1")
    .optional("padding", INT, "0")
    .channels("in_channels", "out_channels").downsamples("stride").build()

/** A [CHECKERBOARD_MASKED_CONV] call. */
@JvmOverloads
fun checkerboardMaskedConv(inChannels: Number, outChannels: Number, kernelSize: Number, stride: Number? = null, padding: Number? = null): Node.Call = CHECKERBOARD_MASKED_CONV.call(inChannels, outChannels, kernelSize, stride, padding)

@JvmField
val RESIDUAL_BLOCK: Kind = Kind.layer("residual_block", "compressai.layers.ResidualBlock")
    .required("in_ch", INT).required("out_ch", INT).channels("in_ch", "out_ch").build()

/** A [RESIDUAL_BLOCK] call. */
fun residualBlock(inCh: Number, outCh: Number): Node.Call = RESIDUAL_BLOCK.call(inCh, outCh)

@JvmField
val RESIDUAL_BLOCK_WITH_STRIDE: Kind = Kind.layer("residual_block_with_stride", "compressai.layers.ResidualBlockWithStride")
    .required("in_ch", INT).required("out_ch", INT).optional("stride", INT, "2")
    .channels("in_ch", "out_ch").downsamples("stride").build()

/** A [RESIDUAL_BLOCK_WITH_STRIDE] call. */
@JvmOverloads
fun residualBlockWithStride(inCh: Number, outCh: Number, stride: Number? = null): Node.Call = RESIDUAL_BLOCK_WITH_STRIDE.call(inCh, outCh, stride)

@JvmField
val RESIDUAL_BLOCK_UPSAMPLE: Kind = Kind.layer("residual_block_upsample", "compressai.layers.ResidualBlockUpsample")
    .required("in_ch", INT).required("out_ch", INT).optional("upsample", INT, "2")
    .channels("in_ch", "out_ch").upsamples("upsample").build()

/** A [RESIDUAL_BLOCK_UPSAMPLE] call. */
@JvmOverloads
fun residualBlockUpsample(inCh: Number, outCh: Number, upsample: Number? = null): Node.Call = RESIDUAL_BLOCK_UPSAMPLE.call(inCh, outCh, upsample)

@JvmField
val RESIDUAL_BOTTLENECK_BLOCK: Kind = Kind.layer("residual_bottleneck_block", "compressai.models.sensetime.ResidualBottleneckBlock")
    .required("in_ch", INT).required("out_ch", INT).channels("in_ch", "out_ch").build()

/** A [RESIDUAL_BOTTLENECK_BLOCK] call. */
fun residualBottleneckBlock(inCh: Number, outCh: Number): Node.Call = RESIDUAL_BOTTLENECK_BLOCK.call(inCh, outCh)

@JvmField
val ATTENTION_BLOCK: Kind = Kind.layer("attention_block", "compressai.layers.AttentionBlock")
    .required("N", INT).channels("N", "N").build()

/** A [ATTENTION_BLOCK] call. */
fun attentionBlock(n: Number): Node.Call = ATTENTION_BLOCK.call(n)

@JvmField
val CHANNEL_RAMP: Kind = Kind.layer("channel_ramp", "compressai.layers.sequential_channel_ramp")
    .required("in_ch", INT).required("out_ch", INT).optional("min_ch", INT, "0").optional("num_layers", INT, "3")
    .choice("interp", "linear", "linear", "log").choice("layer", "conv2d", "conv2d").choice("act", "relu", "relu", "leaky_relu")
    .optional("skip_last_act", BOOL, "true").optional("kernel_size", INT, "1").optional("stride", INT, "1").optional("padding", INT, "0")
    .channels("in_ch", "out_ch").build()

/** A [CHANNEL_RAMP] call. */
@JvmOverloads
fun channelRamp(inCh: Number, outCh: Number, minCh: Number? = null, numLayers: Number? = null, interp: String? = null, layer: String? = null, act: String? = null, skipLastAct: Boolean? = null, kernelSize: Number? = null, stride: Number? = null, padding: Number? = null): Node.Call = CHANNEL_RAMP.call(inCh, outCh, minCh, numLayers, interp, layer, act, skipLastAct, kernelSize, stride, padding)

@JvmField
val LINEAR: Kind = Kind.layer("linear", "torch.nn.Linear (over the last dimension)")
    .required("in_features", INT).required("out_features", INT).channels("in_features", "out_features").build()

/** A [LINEAR] call. */
fun linear(inFeatures: Number, outFeatures: Number): Node.Call = LINEAR.call(inFeatures, outFeatures)

@JvmField
val SOFTPLUS: Kind = Kind.layer("softplus", "torch.nn.Softplus").build()

/** A [SOFTPLUS] call. */
fun softplus(): Node.Call = SOFTPLUS.call()

@JvmField
val LOWER_BOUND: Kind = Kind.layer("lower_bound", "compressai.ops.LowerBound").required("bound", FLOAT).build()

/** A [LOWER_BOUND] call. */
fun lowerBound(bound: Number): Node.Call = LOWER_BOUND.call(bound)

// Variable-rate parts: a table of trained gains is a part of a variable-rate codec, not a layer.

@JvmField
val GAIN_TABLE: Kind = Kind.layer("gain_table", "trained gains per rate level: scalars (the Gain parameter of CompressAI's *Vbr models) or, "
    + "with channels, one gain vector per level (Cui et al. 2021)")
    .optional("levels", INT, "8").optional("channels", INT, "0").build()

/** A [GAIN_TABLE] call. */
@JvmOverloads
fun gainTable(levels: Number? = null, channels: Number? = null): Node.Call = GAIN_TABLE.call(levels, channels)

// Point-cloud layers (they run on [B, C, P] arrays).

@JvmField
val CONV1D: Kind = Kind.layer("conv1d", "torch.nn.Conv1d (stride 1, no padding; point-cloud models use kernel 1)")
    .required("in_channels", INT).required("out_channels", INT).optional("kernel_size", INT, "1").optional("groups", INT, "1")
    .channels("in_channels", "out_channels").build()

@JvmField
val BATCH_NORM1D: Kind = Kind.layer("batch_norm1d", "torch.nn.BatchNorm1d (evaluation mode: running statistics)")
    .required("num_features", INT).channels("num_features", "num_features").build()

@JvmField
val GROUP_NORM: Kind = Kind.layer("group_norm", "torch.nn.GroupNorm (eps 1e-5, per-channel weight and bias)")
    .required("num_groups", INT).required("num_channels", INT).channels("num_channels", "num_channels").build()

@JvmField
val INTERLEAVE: Kind = Kind.layer("interleave", "compressai.layers.Interleave (channel shuffle between grouped convolutions)")
    .required("groups", INT).build()

@JvmField
val MAX_POOL_POINTS: Kind = Kind.layer("max_pool_points", "torch.nn.AdaptiveMaxPool1d(1): the maximum over the points").build()

@JvmField
val GAIN: Kind = Kind.layer("gain", "compressai.layers.Gain((channels, 1), factor)")
    .required("channels", INT).optional("factor", FLOAT, "1.0").channels("channels", "channels").build()

@JvmField
val RESHAPE_POINTS: Kind = Kind.layer("reshape_points", "compressai.layers.Reshape((C // dims, dims)): [B, C, 1] to points [B, C/dims, dims]")
    .optional("dims", INT, "3").build()

@JvmField
val RESHAPE: Kind = Kind.layer("reshape", "compressai.layers.Reshape((channels, *dims)): row-major reshape to [B, channels, *dims]")
    .required("channels", INT).optional("dims", INT_LIST, "[]").channels(null, "channels").build()

@JvmField
val TRANSPOSE: Kind = Kind.layer("transpose", "compressai.layers.Transpose(dim0, dim1): swaps two axes (negative counts from the end)")
    .optional("dim0", INT, "-2").optional("dim1", INT, "-1").build()

/**
 * PointNet++ single-scale set abstraction on a point cloud [B, 3 + D, N] (coordinates, then
 * features): npoint centroids by farthest point sampling, nsample neighbours each by ball query,
 * the shared MLP and a max over the neighbours give [B, 3 + mlp.last, npoint]. With npoint 0
 * (CompressAI's group_all), one centroid at the origin groups every point.
 */
@JvmField
val SET_ABSTRACTION: Kind = Kind.layer("set_abstraction", "compressai.layers.pointcloud.pointnet2.PointNetSetAbstraction")
    .required("in_channel", INT).required("mlp", INT_LIST).optional("npoint", INT, "0").optional("radius", FLOAT, "0.0")
    .optional("nsample", INT, "0").channels("in_channel", "mlp", 3).build()

/**
 * Density-aware down-sampling of He et al. 2022 on a point cloud [B, 3 + dim, N]: round(N · rate)
 * centroids by farthest point sampling, each grouped with those of its k nearest points whose
 * nearest centroid it is; features, positions and group size embedded and summed into the
 * centroid's features: [B, 3 + dim, round(N · rate)].
 */
@JvmField
val DENSITY_DOWNSAMPLE: Kind = Kind.layer("density_downsample", "compressai.layers.pointcloud.hrtzxf2022.DownsampleLayer")
    .required("rate", FLOAT).required("dim", INT).required("hidden_dim", INT).optional("k", INT, "16").optional("ngroups", INT, "1")
    .channels(null, "dim", 3).build()

/**
 * The density-preserving decoder of He et al. 2022 on a latent cloud [B, 3 + dim, m]: per level,
 * `candidates` candidate points per point from a direction table, a learned count of them kept,
 * farthest point sampling to ceil(n / rate) points, and a refinement: [B, 3 + dim, N]. Keys
 * `upsample_layers.i`, `upsample_num_layers.i`, `refine_layers.i` (CompressAI's `Decoder`).
 */
@JvmField
val DENSITY_DECODER: Kind = Kind.layer("density_decoder", "compressai.models.pointcloud.hrtzxf2022.Decoder")
    .required("levels", INT).required("rate", FLOAT).required("candidates", INT).required("dim", INT).required("hidden_dim", INT)
    .optional("k", INT, "16").channels(null, "dim", 3).build()

/** Registers the layer kinds with the catalog. */
class LayerKinds : KindProvider {
    override fun kinds(): List<Kind> = listOf(
        CONV, DECONV, SPECTRAL_CONV, SPECTRAL_DECONV, CONV2D, CONV1X1, CONV3X3, SUBPEL_CONV3X3, GDN, IGDN, GDN1, RELU, LEAKY_RELU, TANH, IDENTITY, QRELU, MASKED_CONV,
        CHECKERBOARD_MASKED_CONV, RESIDUAL_BLOCK, RESIDUAL_BLOCK_WITH_STRIDE, RESIDUAL_BLOCK_UPSAMPLE,
        RESIDUAL_BOTTLENECK_BLOCK, ATTENTION_BLOCK, CHANNEL_RAMP, LINEAR, SOFTPLUS, LOWER_BOUND, GAIN_TABLE, CONV1D, BATCH_NORM1D, INTERLEAVE, MAX_POOL_POINTS, GAIN,
        RESHAPE_POINTS, RESHAPE, TRANSPOSE, SET_ABSTRACTION, GROUP_NORM, DENSITY_DOWNSAMPLE, DENSITY_DECODER,
    )
}
