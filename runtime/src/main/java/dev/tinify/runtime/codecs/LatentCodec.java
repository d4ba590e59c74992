package dev.tinify.runtime.codecs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Entropy-codes a latent, as CompressAI's {@code LatentCodec}: {@code forward} for training and
 * evaluation (quantized latent and likelihoods), {@code compress} to byte strings and
 * {@code decompress} back. {@code ctx} carries side parameters from a parent codec (for example
 * the hyper-decoder output); it is null at the root.
 *
 * <p>Strings are a flat list of streams in CompressAI's order, each a list of one byte string per
 * batch item. Shapes mirror CompressAI's values as JSON-like data: {@code List<Integer>} for a
 * tensor size, {@code List<Object>} for lists and {@code Map<String, Object>} for dicts, so that a
 * shape read from CompressAI's output can be passed back unchanged.
 */
public interface LatentCodec {
    ForwardOut forward(NDArray y, @Nullable NDArray ctx);

    CompressOut compress(NDArray y, @Nullable NDArray ctx);

    /** Decodes; arrays are created in {@code manager} (ctx, when given, decides the batch size). */
    NDArray decompress(NDManager manager, List<List<byte[]>> strings, Object shape, @Nullable NDArray ctx);

    /** Result of {@link #forward}: likelihoods by name ({@code y}, {@code z}, ...) and the quantized latent. */
    record ForwardOut(Map<String, NDArray> likelihoods, NDArray yHat) {}

    /** Result of {@link #compress}. */
    record CompressOut(List<List<byte[]>> strings, Object shape, NDArray yHat) {}
}
