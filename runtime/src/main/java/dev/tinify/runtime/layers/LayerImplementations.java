package dev.tinify.runtime.layers;

import static dev.tinify.runtime.compile.KindImplementation.layer;

import ai.djl.ndarray.NDManager;
import dev.tinify.dsl.Resolver.Part;
import dev.tinify.dsl.kinds.Layers;
import dev.tinify.runtime.compile.BuildContext;
import dev.tinify.runtime.compile.KindImplementation;
import dev.tinify.runtime.compile.KindImplementationProvider;
import dev.tinify.runtime.ops.LowerBound;
import dev.tinify.runtime.pointcloud.DensityDecoder;
import dev.tinify.runtime.pointcloud.DensityDownsample;
import dev.tinify.runtime.pointcloud.SetAbstraction;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/** Builds the layer kinds declared in {@link Layers}. */
public final class LayerImplementations implements KindImplementationProvider {
    @Override
    public List<KindImplementation> implementations() {
        return List.of(
                layer(Layers.CONV, (p, c) -> new Conv2d(c.manager(), in(p), out(p), p.intArg("kernel_size"), p.intArg("stride"))),
                layer(Layers.DECONV, (p, c) -> new ConvTranspose2d(c.manager(), in(p), out(p), p.intArg("kernel_size"), p.intArg("stride"))),
                layer(Layers.SPECTRAL_CONV, (p, c) -> new SpectralConv2d(c.manager(), in(p), out(p), p.intArg("kernel_size"),
                        p.intArg("stride"))),
                layer(Layers.SPECTRAL_DECONV, (p, c) -> new SpectralConvTranspose2d(c.manager(), in(p), out(p), p.intArg("kernel_size"),
                        p.intArg("stride"))),
                layer(Layers.CONV2D, (p, c) -> new Conv2d(c.manager(), in(p), out(p), p.intArg("kernel_size"), p.intArg("stride"),
                        p.intArg("padding"), p.boolArg("bias"))),
                layer(Layers.CONV1X1, (p, c) -> Conv2d.conv1x1(c.manager(), in(p), out(p), p.intArg("stride"))),
                layer(Layers.CONV3X3, (p, c) -> Conv2d.conv3x3(c.manager(), in(p), out(p), p.intArg("stride"))),
                layer(Layers.SUBPEL_CONV3X3, (p, c) -> new SubpelConv3x3(c.manager(), in(p), out(p), p.intArg("r"))),
                layer(Layers.GDN, (p, c) -> new Gdn(c.manager(), in(p), p.boolArg("inverse"), p.doubleArg("beta_min"), p.doubleArg("gamma_init"))),
                layer(Layers.IGDN, (p, c) -> new Gdn(c.manager(), in(p), true, p.doubleArg("beta_min"), p.doubleArg("gamma_init"))),
                layer(Layers.GDN1, (p, c) -> new Gdn1(c.manager(), in(p), p.boolArg("inverse"), p.doubleArg("beta_min"), p.doubleArg("gamma_init"))),
                layer(Layers.RELU, (p, c) -> Activation.relu()),
                layer(Layers.LEAKY_RELU, (p, c) -> Activation.leakyRelu((float) p.doubleArg("negative_slope"))),
                layer(Layers.TANH, (p, c) -> Activation.tanh()),
                layer(Layers.IDENTITY, (p, c) -> Activation.identity()),
                layer(Layers.QRELU, (p, c) -> new QRelu(p.intArg("bit_depth"), p.doubleArg("beta"))),
                layer(Layers.MASKED_CONV, (p, c) -> new MaskedConv2d(c.manager(), in(p), out(p), p.intArg("kernel_size"), p.intArg("stride"),
                        p.intArg("padding"), MaskedConv2d.MaskType.valueOf(p.stringArg("mask_type")))),
                // CompressAI's CheckerboardMaskedConv2d hides the centre tap, as type A does.
                layer(Layers.CHECKERBOARD_MASKED_CONV, (p, c) -> new CheckerboardMaskedConv2d(c.manager(), in(p), out(p),
                        p.intArg("kernel_size"), p.intArg("stride"), p.intArg("padding"), MaskedConv2d.MaskType.A)),
                layer(Layers.RESIDUAL_BLOCK, (p, c) -> new ResidualBlock(c.manager(), in(p), out(p))),
                layer(Layers.RESIDUAL_BLOCK_WITH_STRIDE, (p, c) -> new ResidualBlockWithStride(c.manager(), in(p), out(p), p.intArg("stride"))),
                layer(Layers.RESIDUAL_BLOCK_UPSAMPLE, (p, c) -> new ResidualBlockUpsample(c.manager(), in(p), out(p), p.intArg("upsample"))),
                layer(Layers.RESIDUAL_BOTTLENECK_BLOCK, (p, c) -> new ResidualBottleneckBlock(c.manager(), in(p), out(p))),
                layer(Layers.ATTENTION_BLOCK, (p, c) -> new AttentionBlock(c.manager(), in(p))),
                layer(Layers.CHANNEL_RAMP, (p, c) -> channelRamp(p, c.manager())),
                layer(Layers.LINEAR, (p, c) -> new Linear(c.manager(), in(p), out(p))),
                layer(Layers.SOFTPLUS, (p, c) -> Activation.softplus()),
                layer(Layers.LOWER_BOUND, (p, c) -> new LowerBound(c.manager(), p.doubleArg("bound"))),
                layer(Layers.CONV1D, (p, c) -> new Conv1d(c.manager(), in(p), out(p), p.intArg("kernel_size"), p.intArg("groups"))),
                layer(Layers.BATCH_NORM1D, (p, c) -> new BatchNorm(c.manager(), in(p))),
                layer(Layers.INTERLEAVE, (p, c) -> new Interleave(p.intArg("groups"))),
                layer(Layers.MAX_POOL_POINTS, (p, c) -> new MaxPoolPoints()),
                layer(Layers.GAIN, (p, c) -> new Gain(c.manager(), in(p), p.doubleArg("factor"))),
                layer(Layers.RESHAPE_POINTS, (p, c) -> new ReshapePoints(p.intArg("dims"))),
                layer(Layers.RESHAPE, (p, c) -> new Reshape(p.intArg("channels"), p.intsArg("dims"))),
                layer(Layers.TRANSPOSE, (p, c) -> new Transpose(p.intArg("dim0"), p.intArg("dim1"))),
                layer(Layers.SET_ABSTRACTION, LayerImplementations::setAbstraction),
                layer(Layers.GROUP_NORM, (p, c) -> new GroupNorm(c.manager(), p.intArg("num_groups"), in(p))),
                layer(Layers.DENSITY_DOWNSAMPLE, LayerImplementations::densityDownsample),
                layer(Layers.DENSITY_DECODER, LayerImplementations::densityDecoder));
    }

    private static LayerModule densityDownsample(Part p, BuildContext c) {
        double rate = p.doubleArg("rate");
        int hidden = p.intArg("hidden_dim");
        int groups = p.intArg("ngroups");
        if (!(rate > 0 && rate <= 1) || p.intArg("dim") <= 0 || hidden <= 0 || p.intArg("k") <= 0 || groups <= 0 || hidden % groups != 0) {
            throw c.invalid(p, "density_downsample with rate " + rate + ", dim " + p.intArg("dim") + ", hidden_dim " + hidden + ", k "
                    + p.intArg("k") + ", ngroups " + groups, "a rate in (0, 1], positive dim, hidden_dim and k, and ngroups dividing hidden_dim");
        }
        return new DensityDownsample(c.manager(), rate, p.intArg("dim"), hidden, p.intArg("k"), groups);
    }

    private static LayerModule densityDecoder(Part p, BuildContext c) {
        double rate = p.doubleArg("rate");
        int levels = p.intArg("levels");
        int candidates = p.intArg("candidates");
        int dim = p.intArg("dim");
        if (levels <= 0 || levels > 16 || !(rate > 0 && rate <= 1) || candidates <= 0 || dim <= 0 || dim % candidates != 0
                || p.intArg("hidden_dim") <= 0 || p.intArg("k") <= 0) {
            throw c.invalid(p, "density_decoder with " + levels + " levels, rate " + rate + ", " + candidates + " candidates, dim " + dim
                    + ", hidden_dim " + p.intArg("hidden_dim") + ", k " + p.intArg("k"),
                    "1 to 16 levels, a rate in (0, 1], candidates dividing dim, and positive hidden_dim and k");
        }
        return new DensityDecoder(c.manager(), levels, rate, candidates, dim, p.intArg("hidden_dim"), p.intArg("k"));
    }

    private static LayerModule setAbstraction(Part p, BuildContext c) {
        // npoint 0 is CompressAI's group_all: one centroid, every point its neighbour.
        boolean all = p.intArg("npoint") == 0;
        if (!all && (p.intArg("npoint") < 0 || p.intArg("nsample") <= 0 || !(p.doubleArg("radius") > 0))) {
            throw c.invalid(p, "set_abstraction samples npoint " + p.intArg("npoint") + ", radius " + p.doubleArg("radius")
                    + ", nsample " + p.intArg("nsample"), "positive npoint, radius and nsample, or npoint 0 to group all points");
        }
        if (in(p) < 3) {
            throw c.invalid(p, "set_abstraction reads " + in(p) + " channels", "in_channel = 3 + the feature channels");
        }
        return new SetAbstraction(c.manager(), p.intArg("npoint"), p.doubleArg("radius"), p.intArg("nsample"), in(p), p.intsArg("mlp"), all);
    }

    private static int in(Part p) {
        return java.util.Objects.requireNonNull(p.in(), "declared channel rule");
    }

    private static int out(Part p) {
        return java.util.Objects.requireNonNull(p.out(), "declared channel rule");
    }

    /** CompressAI's {@code sequential_channel_ramp}; its one {@code layer} choice is {@code nn.Conv2d} with the kernel arguments. */
    private static LayerModule channelRamp(Part p, NDManager manager) {
        int k = p.intArg("kernel_size");
        int stride = p.intArg("stride");
        int padding = p.intArg("padding");
        if (!p.stringArg("layer").equals(Layers.CONV2D.name())) {
            throw new IllegalStateException("undeclared layer choice " + p.stringArg("layer"));
        }
        ChannelRamp.LayerFactory layer = (a, b) -> new Conv2d(manager, a, b, k, stride, padding, true);
        Supplier<LayerModule> act = p.stringArg("act").equals(Layers.RELU.name()) ? Activation::relu : Activation::leakyRelu;
        ChannelRamp.Interp interp = ChannelRamp.Interp.valueOf(p.stringArg("interp").toUpperCase(Locale.ROOT));
        return ChannelRamp.sequential(in(p), out(p), p.intArg("min_ch"), p.intArg("num_layers"), interp, layer, act,
                p.boolArg("skip_last_act"));
    }
}
