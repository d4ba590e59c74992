package dev.tinify.runtime.codecs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.entropy.EntropyModel;
import dev.tinify.runtime.entropy.GaussianMixtureConditional;
import dev.tinify.runtime.nn.Layer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Codes a latent [B, M, H, W] with a {@link GaussianMixtureConditional} of K components whose
 * parameters come from the context (Cheng et al. 2020): {@code entropy_parameters} (optional,
 * identity when absent) maps ctx to 3·K·M channels, split in this order into scales, means and
 * weight logits (each K blocks of M channels, component k at channels {@code [k·M, (k+1)·M)});
 * the weights are the softmax of the logits over the K components. One stream per batch item,
 * {@link GaussianMixtureConditional.Compressed#pack packed} (abs_max, zero bitmap, rANS string);
 * shape {@code [h, w]}. Parts: {@code gaussian_mixture_conditional}, {@code entropy_parameters}.
 */
public final class GaussianMixtureConditionalLatentCodec extends CodecModule {
    private static final String NAME = "GaussianMixtureConditionalLatentCodec";

    private final GaussianMixtureConditional mixture;
    private final @Nullable Layer entropyParameters;

    public GaussianMixtureConditionalLatentCodec(GaussianMixtureConditional mixture, @Nullable Layer entropyParameters,
            Parts parts) {
        super(parts);
        this.mixture = part("gaussian_mixture_conditional", mixture);
        this.entropyParameters = entropyParameters == null ? null : part("entropy_parameters", entropyParameters);
    }

    public GaussianMixtureConditional mixture() {
        return mixture;
    }

    /** Scales, means and normalized weights, each [B, K·M, H, W]. */
    private record Mixture(NDArray scales, NDArray means, NDArray weights) {}

    private Mixture params(@Nullable NDArray ctx) {
        if (ctx == null) {
            throw new IllegalArgumentException(NAME + ": context parameters (scales, means, weights) are required");
        }
        NDArray p = apply(entropyParameters, ctx);
        Shape s = p.getShape();
        int k = mixture.components();
        if (s.dimension() != 4 || s.get(1) % (3L * k) != 0) {
            throw new IllegalArgumentException(NAME + ": mixture parameters " + s + " must have 3*K*M channels (K=" + k + ")");
        }
        NDList parts = p.split(3, 1);
        NDArray logits = parts.get(2);
        long m = s.get(1) / (3L * k);
        NDArray weights = logits.reshape(s.get(0), k, m, s.get(2), s.get(3)).softmax(1).reshape(logits.getShape());
        return new Mixture(parts.get(0), parts.get(1), weights);
    }

    @Override
    public ForwardOut forward(NDArray y, @Nullable NDArray ctx) {
        Mixture g = params(ctx);
        EntropyModel.Output out = mixture.forward(y, g.scales(), g.means(), g.weights());
        return new ForwardOut(Map.of("y", out.likelihoods()), out.values());
    }

    @Override
    public CompressOut compress(NDArray y, @Nullable NDArray ctx) {
        Mixture g = params(ctx);
        List<byte[]> strings = new ArrayList<>();
        for (GaussianMixtureConditional.Compressed c : mixture.compress(y, g.scales(), g.means(), g.weights())) {
            strings.add(c.pack());
        }
        NDArray yHat = mixture.quantize(y, EntropyModel.Mode.DEQUANTIZE, null);
        return new CompressOut(List.of(strings), spatial(y), yHat);
    }

    @Override
    public NDArray decompress(NDManager manager, List<List<byte[]>> strings, Object shape, @Nullable NDArray ctx) {
        Mixture g = params(ctx);
        int channels = (int) (g.scales().getShape().get(1) / mixture.components());
        List<GaussianMixtureConditional.Compressed> items = new ArrayList<>();
        for (byte[] s : single(strings, NAME)) {
            items.add(GaussianMixtureConditional.Compressed.unpack(s, channels));
        }
        NDArray yHat = mixture.decompress(items, g.scales(), g.means(), g.weights());
        if (shape instanceof List<?> l && !l.isEmpty() && !sizeOf(shape, NAME).equals(spatial(yHat))) {
            throw new IllegalArgumentException(NAME + ": decoded latent " + yHat.getShape() + " does not match the shape " + shape);
        }
        yHat.attach(manager);
        return yHat;
    }
}
