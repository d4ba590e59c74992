package dev.tinify.runtime.compile;

import ai.djl.ndarray.NDManager;
import dev.tinify.dsl.Resolver.Part;
import dev.tinify.dsl.SpecException;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.codecs.Parts;
import dev.tinify.runtime.layers.LayerModule;
import dev.tinify.runtime.nn.Layer;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link KindImplementation} gets from the compiler while it builds a part: the manager
 * parameters live in, and the parts of the part, built (or, for a {@code $reference}, reused) as
 * the type the implementation needs. Every mismatch is a {@link SpecException} located at the part.
 */
public interface BuildContext {
    /** The manager every parameter of the model lives in. */
    NDManager manager();

    /**
     * Whether the latent codec being built owns its parts ({@link Parts#CHILDREN}: written inline)
     * or only uses top-level modules ({@link Parts#EXTERNAL}: {@code $references}).
     */
    Parts parts();

    /** The part built as a layer (or sequence of layers) usable inside a transform. */
    LayerModule layer(Part part);

    /** The part built as {@code type}; {@code expected} says what it should be, for the message. */
    <T> T part(Part part, Class<T> type, String expected);

    /** An optional part built as a layer, or null when absent. */
    @Nullable Layer optionalLayer(@Nullable Part part);

    /** The part built as a latent codec. */
    LatentCodec codec(Part part);

    /** An error located at {@code part}. */
    SpecException invalid(Part part, String problem, String expected);
}
