package dev.tinify.runtime.codecs.context;

/**
 * Autoregressive coding of one latent in raster order, in plain Java: for each position the
 * context comes from the causal taps of the masked kernel over the already coded positions
 * ({@link CausalKernel}), {@code entropy_parameters} maps {@code cat(params, context)} to
 * Gaussian scales and means ({@link PointwiseNet}), and the position's symbols are coded with
 * all channels in channel order, as CompressAI's {@code RasterScanLatentCodec} does.
 *
 * <p>Only the work the new position needs is done: no padding copies, no crops, no native calls.
 * An engine is immutable and may be shared by threads; each call allocates its own buffers.
 */
public final class RasterScanEngine {
    /** Supplies the decoded symbols of one position given their CDF table indexes. */
    @FunctionalInterface
    public interface SymbolSource {
        int[] next(int[] indexes);
    }

    /** Symbols and indexes in coding order (position-major), and the quantized latent (channel-major). */
    public record Encoded(int[] symbols, int[] indexes, float[] yHat) {}

    private final CausalKernel context;
    private final PointwiseNet entropyParameters;
    private final ScaleIndexer indexer;
    private final int channels;
    private final int paramChannels;

    /**
     * @param context the masked context convolution (latent channels in, context channels out)
     * @param entropyParameters maps {@code paramChannels + context channels} to {@code 2 x latent
     *     channels}: scales first, then means
     * @param indexer scale to CDF index
     * @param paramChannels channels of the side parameters (hyper-decoder output)
     */
    public RasterScanEngine(CausalKernel context, PointwiseNet entropyParameters, ScaleIndexer indexer, int paramChannels) {
        this.context = context;
        this.entropyParameters = entropyParameters;
        this.indexer = indexer;
        this.channels = context.inChannels();
        this.paramChannels = paramChannels;
        if (entropyParameters.inChannels() != paramChannels + context.outChannels()) {
            throw new IllegalArgumentException("entropy_parameters takes " + entropyParameters.inChannels()
                    + " channels, but params (" + paramChannels + ") + context (" + context.outChannels() + ") give "
                    + (paramChannels + context.outChannels()));
        }
        if (entropyParameters.outChannels() != 2 * channels) {
            throw new IllegalArgumentException("entropy_parameters gives " + entropyParameters.outChannels()
                    + " channels, expected scales and means for " + channels + " latent channels (" + 2 * channels + ")");
        }
    }

    /** Latent channels. */
    public int channels() {
        return channels;
    }

    public int paramChannels() {
        return paramChannels;
    }

    /**
     * Quantizes and codes {@code y} ({@code [channels][height][width]}) given {@code params}
     * ({@code [paramChannels][height][width]}).
     */
    public Encoded encode(float[] y, float[] params, int height, int width) {
        checkSizes(params, height, width);
        if (y.length != channels * height * width) {
            throw new IllegalArgumentException("latent has " + y.length + " values, expected " + channels + "x" + height + "x" + width);
        }
        int positions = height * width;
        int[] symbols = new int[positions * channels];
        int[] indexes = new int[positions * channels];
        float[] yHat = new float[positions * channels];
        Work work = new Work();
        for (int h = 0; h < height; h++) {
            for (int w = 0; w < width; w++) {
                int pos = h * width + w;
                work.gaussianParams(params, yHat, height, width, h, w);
                int base = pos * channels;
                for (int c = 0; c < channels; c++) {
                    float mean = work.gauss[channels + c];
                    int s = (int) Math.rint(y[c * positions + pos] - mean);
                    symbols[base + c] = s;
                    indexes[base + c] = indexer.index(work.gauss[c]);
                    yHat[base + c] = s + mean;
                }
            }
        }
        return new Encoded(symbols, indexes, toChannelMajor(yHat, positions));
    }

    /** Decodes a latent ({@code [channels][height][width]}) position by position from {@code source}. */
    public float[] decode(float[] params, int height, int width, SymbolSource source) {
        checkSizes(params, height, width);
        int positions = height * width;
        float[] yHat = new float[positions * channels];
        int[] indexes = new int[channels];
        Work work = new Work();
        for (int h = 0; h < height; h++) {
            for (int w = 0; w < width; w++) {
                int pos = h * width + w;
                work.gaussianParams(params, yHat, height, width, h, w);
                for (int c = 0; c < channels; c++) {
                    indexes[c] = indexer.index(work.gauss[c]);
                }
                int[] s = source.next(indexes.clone());
                if (s.length != channels) {
                    throw new IllegalStateException("symbol source returned " + s.length + " symbols for position ("
                            + h + ", " + w + "), expected " + channels);
                }
                int base = pos * channels;
                for (int c = 0; c < channels; c++) {
                    yHat[base + c] = s[c] + work.gauss[channels + c];
                }
            }
        }
        return toChannelMajor(yHat, positions);
    }

    /**
     * The context at every position of a decoded latent ({@code [channels][height][width]}),
     * channel-major: what the full-image masked convolution gives.
     */
    public float[] contextOf(float[] yHat, int height, int width) {
        int positions = height * width;
        float[] hwc = new float[positions * channels];
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < positions; p++) {
                hwc[p * channels + c] = yHat[c * positions + p];
            }
        }
        int out = context.outChannels();
        float[] ctx = new float[out];
        float[] result = new float[out * positions];
        for (int h = 0; h < height; h++) {
            for (int w = 0; w < width; w++) {
                context.context(hwc, height, width, h, w, ctx, 0);
                for (int o = 0; o < out; o++) {
                    result[o * positions + h * width + w] = ctx[o];
                }
            }
        }
        return result;
    }

    private void checkSizes(float[] params, int height, int width) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("latent size must be positive, got " + height + "x" + width);
        }
        if (params.length != paramChannels * height * width) {
            throw new IllegalArgumentException("params have " + params.length + " values, expected "
                    + paramChannels + "x" + height + "x" + width);
        }
    }

    private float[] toChannelMajor(float[] hwc, int positions) {
        float[] chw = new float[hwc.length];
        for (int p = 0; p < positions; p++) {
            for (int c = 0; c < channels; c++) {
                chw[c * positions + p] = hwc[p * channels + c];
            }
        }
        return chw;
    }

    /** Per-call buffers: the entropy-parameter input vector, its output and the network scratch. */
    private final class Work {
        final float[] in = new float[entropyParameters.inChannels()];
        final float[] gauss = new float[2 * channels];
        final float[][] scratch = entropyParameters.newScratch();

        /** Fills {@link #gauss} (scales, then means) for position (h, w). */
        void gaussianParams(float[] params, float[] yHatHwc, int height, int width, int h, int w) {
            int positions = height * width;
            int pos = h * width + w;
            for (int p = 0; p < paramChannels; p++) {
                in[p] = params[p * positions + pos];
            }
            context.context(yHatHwc, height, width, h, w, in, paramChannels);
            entropyParameters.apply(in, 0, gauss, 0, scratch);
        }
    }
}
