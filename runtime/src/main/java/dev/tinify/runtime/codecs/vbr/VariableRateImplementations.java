package dev.tinify.runtime.codecs.vbr;

import static dev.tinify.runtime.compile.KindImplementation.codec;
import static dev.tinify.runtime.compile.KindImplementation.layer;

import dev.tinify.dsl.Resolver.Part;
import dev.tinify.dsl.kinds.EntropyModels;
import dev.tinify.dsl.kinds.LatentCodecs;
import dev.tinify.dsl.kinds.Layers;
import dev.tinify.runtime.codecs.GaussianConditionalLatentCodec;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.compile.BuildContext;
import dev.tinify.runtime.compile.KindImplementation;
import dev.tinify.runtime.compile.KindImplementationProvider;
import dev.tinify.runtime.entropy.EntropyBottleneck;
import dev.tinify.runtime.entropy.GaussianConditional;
import dev.tinify.runtime.layers.MaskedConv2d;
import dev.tinify.runtime.nn.Layer;
import dev.tinify.runtime.ops.LowerBound;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Builds the variable-rate kinds: the gain table and the codecs that take a rate. */
public final class VariableRateImplementations implements KindImplementationProvider {
    private static final String LAYER = "a layer or sequence";
    private static final String GAIN_TABLE = "a " + Layers.GAIN_TABLE.name();

    @Override
    public List<KindImplementation> implementations() {
        return List.of(
                layer(Layers.GAIN_TABLE, (p, c) -> new GainTable(c.manager(), p.intArg("levels"), p.intArg("channels"))),
                codec(LatentCodecs.VBR_HYPERPRIOR, VariableRateImplementations::vbrHyperprior),
                codec(LatentCodecs.GAIN_HYPER, (p, c) -> new GainHyperLatentCodec(entropyBottleneck(p, c),
                        c.part(p.child("h_a"), Layer.class, LAYER), c.part(p.child("h_s"), Layer.class, LAYER), c.parts())),
                codec(LatentCodecs.GAIN_HYPERPRIOR, VariableRateImplementations::gainHyperprior));
    }

    private static EntropyBottleneck entropyBottleneck(Part p, BuildContext c) {
        return c.part(p.child(EntropyModels.ENTROPY_BOTTLENECK.name()), EntropyBottleneck.class,
                "an " + EntropyModels.ENTROPY_BOTTLENECK.name() + " or " + EntropyModels.ENTROPY_BOTTLENECK_VBR.name());
    }

    private static LatentCodec gainHyperprior(Part p, BuildContext c) {
        Part hyperPart = p.child("hyper");
        LatentCodec hyper = c.codec(hyperPart);
        if (!(hyper instanceof GainHyperLatentCodec h)) {
            throw c.invalid(hyperPart, "the hyper branch of a " + p.kindName() + " is a " + hyperPart.kindName() + " codec",
                    "a " + LatentCodecs.GAIN_HYPER.signature());
        }
        return new GainHyperpriorLatentCodec(c.codec(p.child("y")), h, gains(p, "y_gain", c), gains(p, "y_gain_inv", c),
                gains(p, "z_gain", c), gains(p, "z_gain_inv", c), c.parts());
    }

    private static GainTable gains(Part p, String name, BuildContext c) {
        return c.part(p.child(name), GainTable.class, GAIN_TABLE);
    }

    private static LatentCodec vbrHyperprior(Part p, BuildContext c) {
        @Nullable Part zStep = p.part("z_step");
        @Nullable Part zStepBound = p.part("z_step_bound");
        if ((zStep == null) != (zStepBound == null)) {
            throw c.invalid(p, "z_step and z_step_bound must be given together", "both (a variable-step hyper-latent) or neither");
        }
        // CompressAI's vr_entbttlnck switch: without it the model has a plain bottleneck and no step network.
        if (p.boolArg("variable_z") != (zStep != null)) {
            throw c.invalid(p, p.boolArg("variable_z") ? "variable_z (vr_entbttlnck) needs z_step and z_step_bound"
                    : "z_step is given but variable_z (vr_entbttlnck) is false",
                    "variable_z true with z_step, z_step_bound and an " + EntropyModels.ENTROPY_BOTTLENECK_VBR.name()
                            + ", or false with none of them");
        }
        VbrHyperpriorLatentCodec.Hyper hyper = new VbrHyperpriorLatentCodec.Hyper(entropyBottleneck(p, c),
                c.part(p.child("h_a"), Layer.class, LAYER), c.part(p.child("h_s"), Layer.class, LAYER), p.boolArg("abs_input"),
                zStep == null ? null : c.part(zStep, Layer.class, LAYER),
                zStepBound == null ? null : c.part(zStepBound, LowerBound.class, "a " + Layers.LOWER_BOUND.name()));
        @Nullable Part cp = p.part("context_prediction");
        @Nullable Part ep = p.part("entropy_parameters");
        @Nullable Part sc = p.part("scale_to_context");
        if ((cp == null) != (ep == null) || (sc != null && cp == null)) {
            throw c.invalid(p, "context_prediction, entropy_parameters and scale_to_context come as a context model",
                    "context_prediction with entropy_parameters (and optionally scale_to_context), or none of them");
        }
        VbrHyperpriorLatentCodec.Context context = cp == null || ep == null ? null : new VbrHyperpriorLatentCodec.Context(
                c.part(cp, MaskedConv2d.class, "a " + Layers.MASKED_CONV.name()),
                c.part(ep, Layer.class, "a layer or sequence of 1x1 convolutions"),
                sc == null ? null : c.part(sc, Layer.class, "a " + Layers.LINEAR.name() + " layer"));
        GaussianConditionalLatentCodec.Chunks chunks = GaussianConditionalLatentCodec.Chunks.of(p.stringsArg("chunks"));
        if (chunks == GaussianConditionalLatentCodec.Chunks.MEANS_SCALES) {
            throw c.invalid(p, "chunks [means, scales] is not supported by " + p.kindName(), "[scales] or [scales, means]");
        }
        return new VbrHyperpriorLatentCodec(
                c.part(p.child(EntropyModels.GAUSSIAN_CONDITIONAL.name()), GaussianConditional.class,
                        "a " + EntropyModels.GAUSSIAN_CONDITIONAL.name()),
                chunks == GaussianConditionalLatentCodec.Chunks.SCALES_MEANS, gains(p, "gain", c),
                c.part(p.child("quant_offsets"), Layer.class, "a sequence of linear layers"), hyper, context, c.parts());
    }
}
