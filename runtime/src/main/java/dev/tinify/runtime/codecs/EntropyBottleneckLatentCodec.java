package dev.tinify.runtime.codecs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.entropy.EntropyBottleneck;
import dev.tinify.runtime.entropy.EntropyModel;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Codes a latent with a factorized {@link EntropyBottleneck} (CompressAI's
 * {@code EntropyBottleneckLatentCodec}): one stream, shape {@code [h, w]} (or the latent's
 * other sizes: {@code [L]} for a point cloud's [B, C, L] latent), part
 * {@code entropy_bottleneck}. With {@link Quantizer#STE} the forward pass rounds around the
 * medians with a straight-through gradient, as the hyper codec does for z.
 */
public final class EntropyBottleneckLatentCodec extends CodecModule {
    private static final String NAME = "EntropyBottleneckLatentCodec";
    private final EntropyBottleneck entropyBottleneck;
    private final Quantizer quantizer;

    /** A codec whose forward pass uses the entropy model's own quantization ({@link Quantizer#NOISE}). */
    public EntropyBottleneckLatentCodec(EntropyBottleneck entropyBottleneck, Parts parts) {
        this(entropyBottleneck, Quantizer.NOISE, parts);
    }

    /**
     * @param entropyBottleneck the density model of the latent's channels
     * @param quantizer how forward quantizes the latent it passes on
     * @param parts whether this codec registers it as its child {@code entropy_bottleneck}
     */
    public EntropyBottleneckLatentCodec(EntropyBottleneck entropyBottleneck, Quantizer quantizer, Parts parts) {
        super(parts);
        this.entropyBottleneck = part("entropy_bottleneck", entropyBottleneck);
        this.quantizer = quantizer;
    }

    public EntropyBottleneck entropyBottleneck() {
        return entropyBottleneck;
    }

    @Override
    public ForwardOut forward(NDArray y, @Nullable NDArray ctx) {
        EntropyModel.Output out = entropyBottleneck.forward(y);
        if (quantizer == Quantizer.STE) {
            NDArray medians = entropyBottleneck.medians();
            out.values().close();
            return new ForwardOut(Map.of("y", out.likelihoods()), entropyBottleneck.quantize(y, EntropyModel.Mode.STE, medians));
        }
        return new ForwardOut(Map.of("y", out.likelihoods()), out.values());
    }

    @Override
    public CompressOut compress(NDArray y, @Nullable NDArray ctx) {
        // Any [B, C, ...] latent: images give [h, w], point-cloud latents [L] or [L, 1].
        List<Integer> shape = EntropyBottleneck.spatialSize(y.getShape());
        List<byte[]> strings = entropyBottleneck.compress(y);
        NDArray yHat = entropyBottleneck.decompress(y.getManager(), strings, shape);
        return new CompressOut(List.of(strings), shape, yHat);
    }

    @Override
    public NDArray decompress(NDManager manager, List<List<byte[]>> strings, Object shape, @Nullable NDArray ctx) {
        return entropyBottleneck.decompress(manager, single(strings, NAME), sizeOf(shape, NAME));
    }
}
