package dev.tinify.runtime.codecs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.entropy.EntropyBottleneck;
import dev.tinify.runtime.entropy.EntropyModel;
import dev.tinify.runtime.nn.Layer;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The hyper (side-information) branch, as CompressAI's {@code HyperLatentCodec}:
 * {@code z = h_a(y)} (or {@code h_a(|y|)} for ScaleHyperprior), coded with an
 * {@link EntropyBottleneck}, then {@code params = h_s(z_hat)}. Its "latent" output is the params
 * for the y codec: {@link ForwardOut#yHat()}, {@link CompressOut#yHat()} and {@link #decompress}
 * return them. One stream (z); shape {@code [h_z, w_z]}. Parts: {@code entropy_bottleneck},
 * {@code h_a}, {@code h_s}.
 */
public final class HyperLatentCodec extends CodecModule {
    private static final String NAME = "HyperLatentCodec";
    private final EntropyBottleneck entropyBottleneck;
    private final @Nullable Layer hA;
    private final @Nullable Layer hS;
    private final Quantizer quantizer;
    private final boolean absInput;

    /**
     * @param entropyBottleneck density of z
     * @param hA hyper analysis transform (null: identity)
     * @param hS hyper synthesis transform (null: identity)
     * @param quantizer how forward quantizes z before h_s
     * @param absInput whether h_a sees {@code |y|} (ScaleHyperprior) instead of y
     * @param parts whether this codec registers its parts as children
     */
    public HyperLatentCodec(EntropyBottleneck entropyBottleneck, @Nullable Layer hA, @Nullable Layer hS,
            Quantizer quantizer, boolean absInput, Parts parts) {
        super(parts);
        this.entropyBottleneck = part("entropy_bottleneck", entropyBottleneck);
        this.hA = hA == null ? null : part("h_a", hA);
        this.hS = hS == null ? null : part("h_s", hS);
        this.quantizer = quantizer;
        this.absInput = absInput;
    }

    public EntropyBottleneck entropyBottleneck() {
        return entropyBottleneck;
    }

    private NDArray analysis(NDArray y) {
        return apply(hA, absInput ? y.abs() : y);
    }

    /** Returns likelihoods {@code z} and, as yHat, the params {@code h_s(z_hat)}. */
    @Override
    public ForwardOut forward(NDArray y, @Nullable NDArray ctx) {
        NDArray z = analysis(y);
        EntropyModel.Output out = entropyBottleneck.forward(z);
        NDArray zHat = out.values();
        if (quantizer == Quantizer.STE) {
            NDArray medians = entropyBottleneck.medians();
            zHat = entropyBottleneck.quantize(z, EntropyModel.Mode.STE, medians);
        }
        return new ForwardOut(Map.of("z", out.likelihoods()), apply(hS, zHat));
    }

    /** Codes z; returns the z stream, shape {@code [h_z, w_z]} and, as yHat, the params from the decoded z. */
    @Override
    public CompressOut compress(NDArray y, @Nullable NDArray ctx) {
        NDArray z = analysis(y);
        List<Integer> shape = spatial(z);
        List<byte[]> strings = entropyBottleneck.compress(z);
        NDArray zHat = entropyBottleneck.decompress(z.getManager(), strings, shape);
        return new CompressOut(List.of(strings), shape, apply(hS, zHat));
    }

    /** Decodes z and returns the params {@code h_s(z_hat)}. */
    @Override
    public NDArray decompress(NDManager manager, List<List<byte[]>> strings, Object shape, @Nullable NDArray ctx) {
        NDArray zHat = entropyBottleneck.decompress(manager, single(strings, NAME), sizeOf(shape, NAME));
        return apply(hS, zHat);
    }
}
