package dev.tinify.runtime.codecs.vbr;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.codecs.CodecModule;
import dev.tinify.runtime.codecs.Parts;
import dev.tinify.runtime.entropy.EntropyBottleneck;
import dev.tinify.runtime.entropy.EntropyModel;
import dev.tinify.runtime.nn.Layer;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The gain-controlled hyper branch of Cui et al. (CVPR 2021), as CompressAI's
 * {@code GainHyperLatentCodec}:
 *
 * <pre>
 *                gain                        gain_inv
 *                  │                             │
 *        ┌───┐  z  ▼     ┌───┐ z_hat      z_hat  ▼       ┌───┐
 * y ──►──┤h_a├──►──×──►──┤ Q ├───►───····───►────×────►──┤h_s├──►── params
 *        └───┘           └───┘        EB                 └───┘
 * </pre>
 *
 * Used inside {@link GainHyperpriorLatentCodec}, which gives the gains; the plain
 * {@link dev.tinify.runtime.codecs.LatentCodec} calls run it with unit gains. Like the hyper codec,
 * its "latent" output is the params for the y codec. One stream (z); shape {@code [h_z, w_z]}.
 * Parts: {@code entropy_bottleneck}, {@code h_a}, {@code h_s}.
 */
public final class GainHyperLatentCodec extends CodecModule {
    private static final String NAME = "GainHyperLatentCodec";
    private final EntropyBottleneck entropyBottleneck;
    private final Layer hA;
    private final Layer hS;

    public GainHyperLatentCodec(EntropyBottleneck entropyBottleneck, Layer hA, Layer hS, Parts parts) {
        super(parts);
        this.entropyBottleneck = part("entropy_bottleneck", entropyBottleneck);
        this.hA = part("h_a", hA);
        this.hS = part("h_s", hS);
    }

    private static NDArray times(NDArray x, @Nullable NDArray gain) {
        return gain == null ? x : x.mul(gain);
    }

    /** Likelihoods {@code z} and, as yHat, the params {@code h_s(Q(h_a(y)·gain)·gain_inv)}. */
    public ForwardOut forward(NDArray y, @Nullable NDArray gain, @Nullable NDArray gainInv) {
        NDArray z = times(hA.forward(y), gain);
        EntropyModel.Output out = entropyBottleneck.forward(z);
        return new ForwardOut(Map.of("z", out.likelihoods()), hS.forward(times(out.values(), gainInv)));
    }

    /** Codes z; returns the z stream, its shape and, as yHat, the params from the decoded z. */
    public CompressOut compress(NDArray y, @Nullable NDArray gain, @Nullable NDArray gainInv) {
        NDArray z = times(hA.forward(y), gain);
        List<Integer> shape = spatial(z);
        List<byte[]> strings = entropyBottleneck.compress(z);
        NDArray zHat = entropyBottleneck.decompress(z.getManager(), strings, shape);
        return new CompressOut(List.of(strings), shape, hS.forward(times(zHat, gainInv)));
    }

    /** Decodes z and returns the params. */
    public NDArray decompressWithGain(NDManager manager, List<List<byte[]>> strings, Object shape, @Nullable NDArray gainInv) {
        NDArray zHat = entropyBottleneck.decompress(manager, single(strings, NAME), sizeOf(shape, NAME));
        return hS.forward(times(zHat, gainInv));
    }

    @Override
    public ForwardOut forward(NDArray y, @Nullable NDArray ctx) {
        return forward(y, null, null);
    }

    @Override
    public CompressOut compress(NDArray y, @Nullable NDArray ctx) {
        return compress(y, null, null);
    }

    @Override
    public NDArray decompress(NDManager manager, List<List<byte[]>> strings, Object shape, @Nullable NDArray ctx) {
        return decompressWithGain(manager, strings, shape, null);
    }
}
