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
 * Codes a point cloud's latent points [B, 3, m] through a learned transform (He et al. 2022,
 * CompressAI's {@code XyzsLatentCodec} in its "learned" mode): z = analysis(points), coded by an
 * {@link EntropyBottleneck}; the decoded points are synthesis(ẑ). One stream, shape {@code [m]};
 * likelihood {@code y} (of z); parts {@code analysis}, {@code synthesis}, {@code entropy_bottleneck}.
 */
public final class XyzLatentCodec extends CodecModule {
    private static final String NAME = "XyzLatentCodec";
    private final Layer analysis;
    private final Layer synthesis;
    private final EntropyBottleneck entropyBottleneck;

    public XyzLatentCodec(Layer analysis, Layer synthesis, EntropyBottleneck entropyBottleneck, Parts parts) {
        super(parts);
        this.analysis = part("analysis", analysis);
        this.synthesis = part("synthesis", synthesis);
        this.entropyBottleneck = part("entropy_bottleneck", entropyBottleneck);
    }

    @Override
    public ForwardOut forward(NDArray y, @Nullable NDArray ctx) {
        EntropyModel.Output out = entropyBottleneck.forward(analysis.forward(y));
        return new ForwardOut(Map.of("y", out.likelihoods()), synthesis.forward(out.values()));
    }

    @Override
    public CompressOut compress(NDArray y, @Nullable NDArray ctx) {
        NDArray z = analysis.forward(y);
        List<Integer> shape = EntropyBottleneck.spatialSize(z.getShape());
        List<byte[]> strings = entropyBottleneck.compress(z);
        NDArray zHat = entropyBottleneck.decompress(y.getManager(), strings, shape);
        return new CompressOut(List.of(strings), shape, synthesis.forward(zHat));
    }

    @Override
    public NDArray decompress(NDManager manager, List<List<byte[]>> strings, Object shape, @Nullable NDArray ctx) {
        return synthesis.forward(entropyBottleneck.decompress(manager, single(strings, NAME), sizeOf(shape, NAME)));
    }
}
