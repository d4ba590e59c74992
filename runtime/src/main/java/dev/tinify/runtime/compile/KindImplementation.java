package dev.tinify.runtime.compile;

import dev.tinify.dsl.Kind;
import dev.tinify.dsl.Kinds;
import dev.tinify.dsl.Resolver.Part;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.nn.Module;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How the runtime builds one kind: a factory bound to the kind's {@link Kind declaration object}.
 * A layer or entropy-model kind builds a {@link Module}, a latent-codec kind a {@link LatentCodec}.
 * Implementations reach the compiler through a {@link KindImplementationProvider}.
 */
public final class KindImplementation {
    /** Builds a layer or an entropy model from a resolved part. */
    @FunctionalInterface
    public interface LayerFactory {
        Module build(Part part, BuildContext context);
    }

    /** Builds a latent codec from a resolved part. */
    @FunctionalInterface
    public interface CodecFactory {
        LatentCodec build(Part part, BuildContext context);
    }

    private final Kind kind;
    private final @Nullable LayerFactory layer;
    private final @Nullable CodecFactory codec;

    private KindImplementation(Kind kind, @Nullable LayerFactory layer, @Nullable CodecFactory codec) {
        this.kind = Objects.requireNonNull(kind);
        this.layer = layer;
        this.codec = codec;
    }

    /** The implementation of a layer or entropy-model kind. */
    public static KindImplementation layer(Kind kind, LayerFactory factory) {
        if (kind.namespace() != Kinds.Namespace.LAYER) {
            throw new IllegalArgumentException(kind + " is not a layer kind");
        }
        return new KindImplementation(kind, Objects.requireNonNull(factory), null);
    }

    /** The implementation of a latent-codec kind. */
    public static KindImplementation codec(Kind kind, CodecFactory factory) {
        if (kind.namespace() != Kinds.Namespace.CODEC) {
            throw new IllegalArgumentException(kind + " is not a latent codec kind");
        }
        return new KindImplementation(kind, null, Objects.requireNonNull(factory));
    }

    public Kind kind() {
        return kind;
    }

    Module buildLayer(Part part, BuildContext context) {
        return Objects.requireNonNull(layer).build(part, context);
    }

    LatentCodec buildCodec(Part part, BuildContext context) {
        return Objects.requireNonNull(codec).build(part, context);
    }
}
