package dev.tinify.runtime.video;

import static dev.tinify.runtime.compile.KindImplementation.codec;
import static dev.tinify.runtime.compile.KindImplementation.layer;

import dev.tinify.dsl.Resolver.Part;
import dev.tinify.dsl.kinds.EntropyModels;
import dev.tinify.dsl.kinds.Video;
import dev.tinify.runtime.compile.BuildContext;
import dev.tinify.runtime.compile.KindImplementation;
import dev.tinify.runtime.compile.KindImplementationProvider;
import dev.tinify.runtime.entropy.EntropyBottleneck;
import dev.tinify.runtime.entropy.GaussianConditional;
import dev.tinify.runtime.nn.Layer;
import java.util.List;

/** Builds the video kinds declared in {@link Video}. */
public final class VideoImplementations implements KindImplementationProvider {
    private static final String TRANSFORM = "a layer, sequence or graph";

    @Override
    public List<KindImplementation> implementations() {
        return List.of(
                layer(Video.GAUSSIAN_VOLUME, (p, c) -> {
                    try {
                        return new GaussianVolume(p.doubleArg("sigma0"), p.intArg("num_levels"));
                    } catch (IllegalArgumentException e) {
                        throw c.invalid(p, e.getMessage(), "1 to 8 levels and a positive sigma0 up to 64");
                    }
                }),
                layer(Video.VOLUME_WARP, (p, c) -> new VolumeWarp()),
                codec(Video.MEAN_SCALE_HYPERPRIOR, (p, c) -> new VideoHyperprior(
                        c.part(p.child(EntropyModels.ENTROPY_BOTTLENECK.name()), EntropyBottleneck.class, "an " + EntropyModels.ENTROPY_BOTTLENECK.name()),
                        transform(p, c, "hyper_encoder"), transform(p, c, "hyper_decoder_mean"), transform(p, c, "hyper_decoder_scale"),
                        c.part(p.child(EntropyModels.GAUSSIAN_CONDITIONAL.name()), GaussianConditional.class, "a " + EntropyModels.GAUSSIAN_CONDITIONAL.name()),
                        c.parts())),
                codec(Video.SCALE_SPACE_FLOW, (p, c) -> new ScaleSpaceFlow(
                        transform(p, c, "img_encoder"), transform(p, c, "img_decoder"), c.codec(p.child("img_hyperprior")),
                        transform(p, c, "res_encoder"), transform(p, c, "res_decoder"), c.codec(p.child("res_hyperprior")),
                        transform(p, c, "motion_encoder"), transform(p, c, "motion_decoder"), c.codec(p.child("motion_hyperprior")),
                        c.part(p.child("gaussian_volume"), GaussianVolume.class, "a " + Video.GAUSSIAN_VOLUME.signature()),
                        c.part(p.child("warp"), VolumeWarp.class, "a " + Video.VOLUME_WARP.signature()), c.parts())));
    }

    private static Layer transform(Part p, BuildContext c, String name) {
        return c.part(p.child(name), Layer.class, TRANSFORM);
    }
}
