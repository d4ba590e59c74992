package dev.tinify.runtime.codecs.vbr;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.codecs.LatentCodec;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A latent codec whose rate is chosen per call ({@link Rate}); the {@link LatentCodec} methods use
 * {@link #defaultRate()}. The rate is not in the strings: a decoder must be given the rate that
 * encoded them.
 */
public interface VariableRateCodec extends LatentCodec {
    /** Number of trained rate levels. */
    int levels();

    /** The rate of the plain {@link LatentCodec} calls: level 1, CompressAI's default {@code s}. */
    default Rate defaultRate() {
        return Rate.level(Math.min(1, levels() - 1));
    }

    ForwardOut forward(NDArray y, Rate rate);

    /**
     * The forward pass of the base model alone, as the fixed-rate model this one extends runs it
     * (CompressAI's {@code stage=1}, the first training stage of Kamisli et al.): no gain and
     * none of the variable-rate modules, which therefore get no gradient.
     */
    ForwardOut forwardBase(NDArray y);

    CompressOut compress(NDArray y, Rate rate);

    NDArray decompress(NDManager manager, List<List<byte[]>> strings, Object shape, Rate rate);

    @Override
    default ForwardOut forward(NDArray y, @Nullable NDArray ctx) {
        return forward(y, defaultRate());
    }

    @Override
    default CompressOut compress(NDArray y, @Nullable NDArray ctx) {
        return compress(y, defaultRate());
    }

    @Override
    default NDArray decompress(NDManager manager, List<List<byte[]>> strings, Object shape, @Nullable NDArray ctx) {
        return decompress(manager, strings, shape, defaultRate());
    }
}
