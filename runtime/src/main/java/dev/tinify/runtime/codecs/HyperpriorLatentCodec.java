package dev.tinify.runtime.codecs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A hyperprior (CompressAI's {@code HyperpriorLatentCodec}): the {@code hyper} codec turns y into
 * side information and params, and the {@code y} codec codes y with those params as ctx.
 *
 * <p>Streams are the y codec's streams followed by the z stream. With {@link Parts#CHILDREN} the
 * parts are the children {@code y} and {@code hyper} and compress returns the shape
 * {@code {"y": ..., "hyper": ...}}, as latent-codec models do. With {@link Parts#EXTERNAL} it
 * reproduces the classic models (ScaleHyperprior, MeanScaleHyperprior): their parts live at the
 * model root and the shape is just the hyper shape {@code [h_z, w_z]}. Decompress accepts both
 * forms.
 */
public final class HyperpriorLatentCodec extends CodecModule {
    private static final String NAME = "HyperpriorLatentCodec";
    private final LatentCodec y;
    private final HyperLatentCodec hyper;

    /**
     * @param y codec of the latent, given the hyper params as ctx
     * @param hyper the side-information branch
     * @param parts {@link Parts#CHILDREN} for latent-codec models, {@link Parts#EXTERNAL} for classic models
     */
    public HyperpriorLatentCodec(LatentCodec y, HyperLatentCodec hyper, Parts parts) {
        super(parts);
        this.y = part("y", y);
        this.hyper = part("hyper", hyper);
    }

    public LatentCodec y() {
        return y;
    }

    public HyperLatentCodec hyper() {
        return hyper;
    }

    @Override
    public ForwardOut forward(NDArray latent, @Nullable NDArray ctx) {
        ForwardOut h = hyper.forward(latent, null);
        ForwardOut out = y.forward(latent, h.yHat());
        Map<String, NDArray> likelihoods = new LinkedHashMap<>(out.likelihoods());
        likelihoods.putAll(h.likelihoods());
        return new ForwardOut(likelihoods, out.yHat());
    }

    @Override
    public CompressOut compress(NDArray latent, @Nullable NDArray ctx) {
        CompressOut h = hyper.compress(latent, null);
        CompressOut out = y.compress(latent, h.yHat());
        List<List<byte[]>> strings = new ArrayList<>(out.strings());
        strings.addAll(h.strings());
        Object shape;
        if (parts() == Parts.CHILDREN) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("y", out.shape());
            m.put("hyper", h.shape());
            shape = m;
        } else {
            shape = h.shape();
        }
        return new CompressOut(strings, shape, out.yHat());
    }

    @Override
    public NDArray decompress(NDManager manager, List<List<byte[]>> strings, Object shape, @Nullable NDArray ctx) {
        if (strings.size() < 2) {
            throw new IllegalArgumentException(NAME + ": expected y streams and a z stream, got " + strings.size() + " streams");
        }
        List<byte[]> z = strings.get(strings.size() - 1);
        List<List<byte[]>> yStrings = strings.subList(0, strings.size() - 1);
        for (List<byte[]> s : yStrings) {
            if (s.size() != z.size()) {
                throw new IllegalArgumentException(NAME + ": y stream has " + s.size() + " batch items, z stream " + z.size());
            }
        }
        @Nullable Object yShape = null;
        Object hyperShape;
        if (shape instanceof Map<?, ?> m) {
            yShape = entry(m, "y", NAME);
            hyperShape = entry(m, "hyper", NAME);
        } else {
            hyperShape = shape;
        }
        NDArray params = hyper.decompress(manager, List.of(z), hyperShape, null);
        if (yShape == null) {
            // The classic form carries only z's size: y has the side parameters' spatial size, as
            // CompressAI's autoregressive models derive it (y_height = z_height * 4).
            yShape = List.of(Math.toIntExact(params.getShape().get(2)), Math.toIntExact(params.getShape().get(3)));
        }
        return y.decompress(manager, yStrings, yShape, params);
    }
}
