package dev.tinify.runtime.codecs;

import static dev.tinify.runtime.compile.KindImplementation.codec;

import dev.tinify.dsl.Resolver.Part;
import dev.tinify.dsl.kinds.EntropyModels;
import dev.tinify.dsl.kinds.Layers;
import dev.tinify.dsl.kinds.LatentCodecs;
import dev.tinify.runtime.codecs.context.ChannelGroupsLatentCodec;
import dev.tinify.runtime.codecs.context.CheckerboardLatentCodec;
import dev.tinify.runtime.codecs.context.RasterScanLatentCodec;
import dev.tinify.runtime.compile.BuildContext;
import dev.tinify.runtime.compile.KindImplementation;
import dev.tinify.runtime.compile.KindImplementationProvider;
import dev.tinify.runtime.entropy.EntropyBottleneck;
import dev.tinify.runtime.entropy.GaussianConditional;
import dev.tinify.runtime.entropy.GaussianMixtureConditional;
import dev.tinify.runtime.layers.LayerModule;
import dev.tinify.runtime.layers.MaskedConv2d;
import dev.tinify.runtime.nn.Layer;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Builds the latent codec kinds declared in {@link LatentCodecs}. */
public final class LatentCodecImplementations implements KindImplementationProvider {
    private static final String POINTWISE = "a layer or sequence of 1x1 convolutions";

    @Override
    public List<KindImplementation> implementations() {
        return List.of(
                codec(LatentCodecs.ENTROPY_BOTTLENECK_CODEC, (p, c) -> new EntropyBottleneckLatentCodec(entropyBottleneck(p, c),
                        Quantizer.of(p.stringArg("quantizer")), c.parts())),
                codec(LatentCodecs.GAUSSIAN_CONDITIONAL_CODEC, (p, c) -> new GaussianConditionalLatentCodec(
                        gaussianConditional(p, c), c.optionalLayer(p.part("entropy_parameters")), Quantizer.of(p.stringArg("quantizer")),
                        GaussianConditionalLatentCodec.Chunks.of(p.stringsArg("chunks")), c.parts())),
                codec(LatentCodecs.GAUSSIAN_MIXTURE_CONDITIONAL_CODEC, (p, c) -> new GaussianMixtureConditionalLatentCodec(
                        c.part(p.child(EntropyModels.GAUSSIAN_MIXTURE_CONDITIONAL.name()), GaussianMixtureConditional.class,
                                "a " + EntropyModels.GAUSSIAN_MIXTURE_CONDITIONAL.name()),
                        c.optionalLayer(p.part("entropy_parameters")), c.parts())),
                codec(LatentCodecs.HYPER, (p, c) -> new HyperLatentCodec(entropyBottleneck(p, c), c.optionalLayer(p.part("h_a")),
                        c.optionalLayer(p.part("h_s")), Quantizer.of(p.stringArg("quantizer")), p.boolArg("abs_input"), c.parts())),
                codec(LatentCodecs.HYPERPRIOR, LatentCodecImplementations::hyperprior),
                codec(LatentCodecs.RASTER_SCAN, (p, c) -> new RasterScanLatentCodec(gaussianConditional(p, c),
                        c.part(p.child("entropy_parameters"), LayerModule.class, POINTWISE),
                        c.part(p.child("context_prediction"), MaskedConv2d.class, "a " + Layers.MASKED_CONV.name()),
                        Quantizer.of(p.stringArg("quantizer")), c.parts())),
                codec(LatentCodecs.CHECKERBOARD, (p, c) -> new CheckerboardLatentCodec(c.codec(p.child("y")),
                        c.part(p.child("entropy_parameters"), LayerModule.class, POINTWISE),
                        c.part(p.child("context_prediction"), LayerModule.class, "a " + Layers.CHECKERBOARD_MASKED_CONV.name()),
                        CheckerboardLatentCodec.AnchorParity.of(p.stringArg("anchor_parity")),
                        CheckerboardLatentCodec.ForwardMethod.of(p.stringArg("forward_method")), c.parts())),
                codec(LatentCodecs.CHANNEL_GROUPS, LatentCodecImplementations::channelGroups),
                codec(LatentCodecs.LEVELS, LatentCodecImplementations::levels),
                codec(LatentCodecs.XYZ_LATENT, (p, c) -> new XyzLatentCodec(c.part(p.child("analysis"), Layer.class, "a layer or sequence"),
                        c.part(p.child("synthesis"), Layer.class, "a layer or sequence"), entropyBottleneck(p, c), c.parts())),
                codec(LatentCodecs.CLOUD_LATENT, (p, c) -> new CloudLatentCodec(c.codec(p.child("feat")), c.codec(p.child("xyz")), c.parts())),
                codec(LatentCodecs.RESIDUAL_PREDICTION, (p, c) -> new ResidualPredictionLatentCodec(c.codec(p.child("y")),
                        c.part(p.child("prediction"), Layer.class, "a layer, sequence or graph"), c.parts())));
    }

    private static EntropyBottleneck entropyBottleneck(Part p, BuildContext c) {
        return c.part(p.child(EntropyModels.ENTROPY_BOTTLENECK.name()), EntropyBottleneck.class, "an " + EntropyModels.ENTROPY_BOTTLENECK.name());
    }

    private static GaussianConditional gaussianConditional(Part p, BuildContext c) {
        return c.part(p.child(EntropyModels.GAUSSIAN_CONDITIONAL.name()), GaussianConditional.class, "a " + EntropyModels.GAUSSIAN_CONDITIONAL.name());
    }

    private static LatentCodec hyperprior(Part p, BuildContext c) {
        Part hyperPart = p.child("hyper");
        LatentCodec hyper = c.codec(hyperPart);
        if (!(hyper instanceof HyperLatentCodec h)) {
            throw c.invalid(hyperPart, "the hyper branch of a hyperprior is a " + hyperPart.kindName() + " codec",
                    "a " + LatentCodecs.HYPER.signature());
        }
        return new HyperpriorLatentCodec(c.codec(p.child("y")), h, c.parts());
    }

    private static LatentCodec levels(Part p, BuildContext c) {
        int[] channels = p.intsArg("channels");
        int[] lengths = p.intsArg("lengths");
        if (channels.length != lengths.length || channels.length == 0 || channels.length > LatentCodecs.MAX_LEVELS) {
            throw c.invalid(p, "levels has " + channels.length + " channel counts and " + lengths.length + " lengths",
                    "one channel count and one length per level, 1 to " + LatentCodecs.MAX_LEVELS + " levels");
        }
        List<@Nullable LatentCodec> codecs = new ArrayList<>();
        for (int i = 0; i < LatentCodecs.MAX_LEVELS; i++) {
            Part part = p.part("_" + i);
            boolean coded = i < channels.length && channels[i] > 0;
            if ((part != null) != coded || (i < channels.length && (channels[i] < 0 || lengths[i] <= 0))) {
                throw c.invalid(p, "level " + i + (i < channels.length ? " has " + channels[i] + " channels and length " + lengths[i] : " is beyond the "
                        + channels.length + " levels") + (part == null ? " and no codec _" + i : " and a codec _" + i),
                        "a codec _i exactly for each level with channels > 0, and positive lengths");
            }
            if (i < channels.length) {
                codecs.add(part == null ? null : c.codec(part));
            }
        }
        return new LevelsLatentCodec(channels, lengths, codecs, c.parts());
    }

    private static LatentCodec channelGroups(Part p, BuildContext c) {
        List<Layer> context = new ArrayList<>();
        for (Part part : p.parts("channel_context").values()) {
            context.add(c.part(part, LayerModule.class, "a layer or sequence of layers"));
        }
        List<LatentCodec> groups = new ArrayList<>();
        for (Part part : p.parts("latent_codec").values()) {
            groups.add(c.codec(part));
        }
        ChannelGroupsLatentCodec.ContextGroups merge = p.stringArg("merge").equals("all")
                ? ChannelGroupsLatentCodec.ContextGroups.ALL_PREVIOUS : ChannelGroupsLatentCodec.ContextGroups.FIRST_AND_PREVIOUS;
        return new ChannelGroupsLatentCodec(p.intsArg("groups"), merge, context, groups, c.parts());
    }
}
