package dev.tinify.runtime.codecs.vbr;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.codecs.LatentCodec;
import java.util.List;

/**
 * A latent codec whose rate is chosen per call: the methods taking a {@code gain} code the latent
 * with quantization step {@code 1 / gain}; the {@link LatentCodec} methods use
 * {@link #defaultGain()}. The gain is not in the strings: a decoder must be given the gain that
 * encoded them.
 */
public interface VariableRateCodec extends LatentCodec {
    /** The trained gains, coarse to fine. */
    GainTable gains();

    /** The gain of the plain {@link LatentCodec} calls: trained level 1, CompressAI's default {@code s}. */
    default float defaultGain() {
        return Rate.level(Math.min(1, gains().levels() - 1)).gain(gains().gains());
    }

    ForwardOut forward(NDArray y, float gain);

    CompressOut compress(NDArray y, float gain);

    NDArray decompress(NDManager manager, List<List<byte[]>> strings, Object shape, float gain);

    @Override
    default ForwardOut forward(NDArray y, @org.jspecify.annotations.Nullable NDArray ctx) {
        return forward(y, defaultGain());
    }

    @Override
    default CompressOut compress(NDArray y, @org.jspecify.annotations.Nullable NDArray ctx) {
        return compress(y, defaultGain());
    }

    @Override
    default NDArray decompress(NDManager manager, List<List<byte[]>> strings, Object shape,
            @org.jspecify.annotations.Nullable NDArray ctx) {
        return decompress(manager, strings, shape, defaultGain());
    }
}
