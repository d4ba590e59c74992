package dev.tinify.examples;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.compile.KindImplementation;
import dev.tinify.runtime.compile.KindImplementationProvider;
import dev.tinify.runtime.layers.FixedChannelsLayer;
import dev.tinify.runtime.nn.Param;
import java.util.List;

/** The runtime side of the example kind {@code channel_scale}: {@code x * scale[c]}. */
public final class ChannelScale extends FixedChannelsLayer {
    private final Param scale;

    public ChannelScale(NDManager manager, int channels, double init) {
        super(channels);
        this.scale = parameter("scale", manager.full(new Shape(channels), (float) init));
    }

    @Override
    public NDArray forward(NDArray x) {
        requireInput(x);
        try (NDArray s = scale.value().reshape(1, in, 1, 1)) {
            return x.mul(s);
        }
    }

    /** Binds the implementation to the declaration (listed in META-INF/services/...KindImplementationProvider). */
    public static final class Implementations implements KindImplementationProvider {
        @Override
        public List<KindImplementation> implementations() {
            return List.of(KindImplementation.layer(ChannelScaleKind.CHANNEL_SCALE,
                    (part, ctx) -> new ChannelScale(ctx.manager(), part.intArg("channels"), part.doubleArg("init"))));
        }
    }
}
