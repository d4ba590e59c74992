package dev.tinify.runtime.codecs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.entropy.EntropyModel;
import dev.tinify.runtime.entropy.GaussianConditional;
import dev.tinify.runtime.nn.Layer;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Codes a latent with a {@link GaussianConditional} whose scales (and means) come from the context
 * parameters (CompressAI's {@code GaussianConditionalLatentCodec}): {@code entropy_parameters}
 * (optional, identity when absent) maps ctx to Gaussian parameters, which are split along
 * channels as {@link Chunks} says. One stream; shape {@code [h, w]}. Parts:
 * {@code gaussian_conditional}, {@code entropy_parameters}.
 */
public final class GaussianConditionalLatentCodec extends CodecModule {
    private static final String NAME = "GaussianConditionalLatentCodec";

    /** How the Gaussian parameters are laid out along channels (CompressAI's {@code chunks}). */
    public enum Chunks {
        /** All channels are scales (zero means). */
        SCALES,
        /** First half scales, second half means. */
        SCALES_MEANS,
        /** First half means, second half scales. */
        MEANS_SCALES;

        /** Parses CompressAI's tuple, e.g. {@code ["scales", "means"]}. */
        public static Chunks of(List<String> names) {
            return switch (String.join(",", names)) {
                case "scales" -> SCALES;
                case "scales,means" -> SCALES_MEANS;
                case "means,scales" -> MEANS_SCALES;
                default -> throw new IllegalArgumentException(
                        "unknown chunks " + names + " (expected [scales], [scales, means] or [means, scales])");
            };
        }
    }

    private final GaussianConditional gaussianConditional;
    private final @Nullable Layer entropyParameters;
    private final Quantizer quantizer;
    private final Chunks chunks;

    /**
     * @param gaussianConditional the entropy model
     * @param entropyParameters maps ctx to Gaussian parameters; null for the identity
     * @param quantizer how forward quantizes the returned latent
     * @param chunks channel layout of the Gaussian parameters
     * @param parts whether this codec registers its parts as children
     */
    public GaussianConditionalLatentCodec(GaussianConditional gaussianConditional, @Nullable Layer entropyParameters,
            Quantizer quantizer, Chunks chunks, Parts parts) {
        super(parts);
        this.gaussianConditional = part("gaussian_conditional", gaussianConditional);
        this.entropyParameters = entropyParameters == null ? null : part("entropy_parameters", entropyParameters);
        this.quantizer = quantizer;
        this.chunks = chunks;
    }

    public GaussianConditional gaussianConditional() {
        return gaussianConditional;
    }

    /** The channel layout of the Gaussian parameters. */
    public Chunks chunks() {
        return chunks;
    }

    /** Scales and means (null for {@link Chunks#SCALES}). */
    private record Gaussian(NDArray scales, @Nullable NDArray means) {}

    private Gaussian gaussianParams(@Nullable NDArray ctx) {
        if (ctx == null) {
            throw new IllegalArgumentException(NAME + ": context parameters (scales/means) are required");
        }
        NDArray params = apply(entropyParameters, ctx);
        if (chunks == Chunks.SCALES) {
            return new Gaussian(params, null);
        }
        long c = params.getShape().dimension() < 2 ? -1 : params.getShape().get(1);
        if (c <= 0 || c % 2 != 0) {
            throw new IllegalArgumentException(NAME + ": Gaussian parameters " + params.getShape()
                    + " must have an even number of channels to split into scales and means");
        }
        NDList halves = params.split(2, 1);
        return chunks == Chunks.SCALES_MEANS
                ? new Gaussian(halves.get(0), halves.get(1))
                : new Gaussian(halves.get(1), halves.get(0));
    }

    @Override
    public ForwardOut forward(NDArray y, @Nullable NDArray ctx) {
        Gaussian g = gaussianParams(ctx);
        EntropyModel.Output out = gaussianConditional.forward(y, g.scales(), g.means());
        NDArray yHat = out.values();
        NDArray means = g.means();
        if (quantizer == Quantizer.STE) {
            yHat = gaussianConditional.quantize(y, EntropyModel.Mode.STE, means);
        }
        return new ForwardOut(Map.of("y", out.likelihoods()), yHat);
    }

    @Override
    public CompressOut compress(NDArray y, @Nullable NDArray ctx) {
        Gaussian g = gaussianParams(ctx);
        NDArray indexes = gaussianConditional.buildIndexes(g.scales());
        List<byte[]> strings = gaussianConditional.compress(y, indexes, g.means());
        NDArray yHat = gaussianConditional.decompress(strings, indexes, g.means());
        return new CompressOut(List.of(strings), spatial(y), yHat);
    }

    /**
     * Decodes; the latent's shape follows from ctx. {@code shape}, when it is a list of sizes (as
     * compress returns it), is checked against it; classic models pass no y shape.
     */
    @Override
    public NDArray decompress(NDManager manager, List<List<byte[]>> strings, Object shape, @Nullable NDArray ctx) {
        Gaussian g = gaussianParams(ctx);
        NDArray indexes = gaussianConditional.buildIndexes(g.scales());
        NDArray yHat = gaussianConditional.decompress(single(strings, NAME), indexes, g.means());
        if (shape instanceof List<?> l && !l.isEmpty()) {
            List<Integer> expected = sizeOf(shape, NAME);
            if (!expected.equals(spatial(yHat))) {
                throw new IllegalArgumentException(NAME + ": decoded latent " + yHat.getShape()
                        + " does not match the shape " + expected);
            }
        }
        yHat.attach(manager);
        return yHat;
    }
}
