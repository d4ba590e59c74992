package dev.tinify.runtime.entropy;

import static dev.tinify.runtime.compile.KindImplementation.layer;

import dev.tinify.dsl.kinds.EntropyModels;
import dev.tinify.runtime.compile.KindImplementation;
import dev.tinify.runtime.compile.KindImplementationProvider;
import java.util.List;

/** Builds the entropy model kinds declared in {@link EntropyModels}. */
public final class EntropyModelImplementations implements KindImplementationProvider {
    @Override
    public List<KindImplementation> implementations() {
        return List.of(
                layer(EntropyModels.ENTROPY_BOTTLENECK, (p, c) -> new EntropyBottleneck(c.manager(), p.intArg("channels"),
                        p.doubleArg("tail_mass"), p.doubleArg("init_scale"), p.intsArg("filters"))),
                layer(EntropyModels.ENTROPY_BOTTLENECK_VBR, (p, c) -> new EntropyBottleneck(c.manager(), p.intArg("channels"),
                        p.doubleArg("tail_mass"), p.doubleArg("init_scale"), p.intsArg("filters"), EntropyBottleneck.Naming.LEGACY)),
                layer(EntropyModels.GAUSSIAN_CONDITIONAL, (p, c) -> new GaussianConditional(c.manager(),
                        GaussianConditional.defaultScaleTable(), p.doubleArg("scale_bound"), p.doubleArg("tail_mass"))),
                layer(EntropyModels.GAUSSIAN_MIXTURE_CONDITIONAL, (p, c) -> new GaussianMixtureConditional(c.manager(), p.intArg("K"),
                        GaussianConditional.defaultScaleTable(), p.doubleArg("scale_bound"), p.doubleArg("tail_mass"))));
    }
}
