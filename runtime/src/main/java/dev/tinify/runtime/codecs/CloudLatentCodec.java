package dev.tinify.runtime.codecs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Codes a latent point cloud [B, 3 + C, m] (points, then features) in two parts, as CompressAI's
 * hrtzxf2022 model does with its {@code latent_codec} dictionary: part {@code feat} codes the
 * features as [B, C, m, 1], part {@code xyz} the points as [B, 3, m]. Each part codes one
 * stream: strings {@code [feat's, xyz's]}, shape {@code [feat's shape, xyz's shape]}; a part's
 * likelihood {@code y} is named {@code latent_feat} or {@code latent_xyz} (others
 * {@code latent_<part>_<name>}). The decoded latent is the decoded points, then features.
 */
public final class CloudLatentCodec extends CodecModule {
    private static final String NAME = "CloudLatentCodec";
    private final LatentCodec feat;
    private final LatentCodec xyz;

    public CloudLatentCodec(LatentCodec feat, LatentCodec xyz, Parts parts) {
        super(parts);
        this.feat = part("feat", feat);
        this.xyz = part("xyz", xyz);
    }

    @Override
    public ForwardOut forward(NDArray y, @Nullable NDArray ctx) {
        requireCloud(y);
        ForwardOut f = feat.forward(features(y), null);
        ForwardOut p = xyz.forward(points(y), null);
        Map<String, NDArray> likelihoods = new LinkedHashMap<>();
        f.likelihoods().forEach((k, v) -> likelihoods.put(name("feat", k), v));
        p.likelihoods().forEach((k, v) -> likelihoods.put(name("xyz", k), v));
        return new ForwardOut(likelihoods, join(p.yHat(), f.yHat()));
    }

    @Override
    public CompressOut compress(NDArray y, @Nullable NDArray ctx) {
        requireCloud(y);
        CompressOut f = feat.compress(features(y), null);
        CompressOut p = xyz.compress(points(y), null);
        List<List<byte[]>> strings = new ArrayList<>();
        strings.add(single(f.strings(), NAME + " feat"));
        strings.add(single(p.strings(), NAME + " xyz"));
        return new CompressOut(strings, List.of(f.shape(), p.shape()), join(p.yHat(), f.yHat()));
    }

    @Override
    public NDArray decompress(NDManager manager, List<List<byte[]>> strings, Object shape, @Nullable NDArray ctx) {
        if (strings.size() != 2 || !(shape instanceof List<?> shapes) || shapes.size() != 2) {
            throw new IllegalArgumentException(NAME + ": expected 2 streams (feat, xyz) and a shape [feat's, xyz's], got "
                    + strings.size() + " streams and " + shape);
        }
        NDArray f = feat.decompress(manager, List.of(strings.get(0)), shapes.get(0), null);
        NDArray p = xyz.decompress(manager, List.of(strings.get(1)), shapes.get(1), null);
        return join(p, f);
    }

    private static String name(String part, String likelihood) {
        return likelihood.equals("y") ? "latent_" + part : "latent_" + part + "_" + likelihood;
    }

    private static void requireCloud(NDArray y) {
        if (y.getShape().dimension() != 3 || y.getShape().get(1) <= 3) {
            throw new IllegalArgumentException(NAME + ": expected a latent cloud [B, 3 + C, m], got " + y.getShape());
        }
    }

    private static NDArray features(NDArray y) {
        return y.get(new NDIndex(":, 3:, :")).expandDims(3);
    }

    private static NDArray points(NDArray y) {
        return y.get(new NDIndex(":, 0:3, :"));
    }

    /** Decoded points [B, 3, m] and features [B, C, m, 1] as one cloud [B, 3 + C, m]. */
    private static NDArray join(NDArray points, NDArray features) {
        return points.concat(features.squeeze(3), 1);
    }
}
