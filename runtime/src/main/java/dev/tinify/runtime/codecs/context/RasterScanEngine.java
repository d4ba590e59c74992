package dev.tinify.runtime.codecs.context;

import dev.tinify.runtime.entropy.DecisionMargins;
import org.jspecify.annotations.Nullable;

/**
 * Autoregressive coding of one latent in raster order, in plain Java: for each position the
 * context comes from the causal taps of the masked kernel over the already coded positions
 * ({@link CausalKernel}), {@code entropy_parameters} maps {@code cat(params, context)} to
 * Gaussian scales and means ({@link PointwiseNet}), and the position's symbols are coded with
 * all channels in channel order, as CompressAI's {@code RasterScanLatentCodec} does.
 *
 * <p>Only the work that truly depends on the previous position is done per position. At the
 * start of each row, the context terms from the rows above and the first entropy-parameter
 * layer's terms from the side parameters are summed for the whole row in blocks (weights read
 * once per row instead of once per position); per position remain the two taps to the left and
 * the rest of the entropy-parameter network. No padding copies, no crops, no native calls. An
 * engine is immutable and may be shared by threads; each call allocates its own buffers.
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
        return encode(y, params, height, width, null);
    }

    /** As {@link #encode(float[], float[], int, int)}, reporting each rounded value and scale to {@code margins} when given. */
    public Encoded encode(float[] y, float[] params, int height, int width, @Nullable DecisionMargins margins) {
        if (y.length != channels * height * width) {
            throw new IllegalArgumentException("latent has " + y.length + " values, expected " + channels + "x" + height + "x" + width);
        }
        Work work = new Work(params, height, width);
        int positions = height * width;
        int[] symbols = new int[positions * channels];
        int[] indexes = new int[positions * channels];
        for (int h = 0; h < height; h++) {
            work.startRow(h);
            for (int w = 0; w < width; w++) {
                float[] g = work.gaussianParams(h, w);
                int pos = h * width + w;
                int base = pos * channels;
                for (int c = 0; c < channels; c++) {
                    float mean = g[channels + c];
                    float v = y[c * positions + pos] - mean;
                    int s = (int) Math.rint(v);
                    if (margins != null) {
                        margins.rounded(v);
                        margins.scaled(g[c]);
                    }
                    symbols[base + c] = s;
                    indexes[base + c] = indexer.index(g[c]);
                    work.yHat[base + c] = s + mean;
                }
            }
        }
        return new Encoded(symbols, indexes, toChannelMajor(work.yHat, positions));
    }

    /** Decodes a latent ({@code [channels][height][width]}) position by position from {@code source}. */
    public float[] decode(float[] params, int height, int width, SymbolSource source) {
        return decode(params, height, width, source, null);
    }

    /** As {@link #decode(float[], int, int, SymbolSource)}, reporting each scale to {@code margins} when given. */
    public float[] decode(float[] params, int height, int width, SymbolSource source, @Nullable DecisionMargins margins) {
        Work work = new Work(params, height, width);
        int positions = height * width;
        for (int h = 0; h < height; h++) {
            work.startRow(h);
            for (int w = 0; w < width; w++) {
                float[] g = work.gaussianParams(h, w);
                int[] indexes = new int[channels];
                for (int c = 0; c < channels; c++) {
                    indexes[c] = indexer.index(g[c]);
                    if (margins != null) {
                        margins.scaled(g[c]);
                    }
                }
                int[] s = source.next(indexes);
                if (s.length != channels) {
                    throw new IllegalStateException("symbol source returned " + s.length + " symbols for position ("
                            + h + ", " + w + "), expected " + channels);
                }
                int base = (h * width + w) * channels;
                for (int c = 0; c < channels; c++) {
                    work.yHat[base + c] = s[c] + g[channels + c];
                }
            }
        }
        return toChannelMajor(work.yHat, positions);
    }

    /**
     * The context the coder computes at every position when {@code yHat} ({@code [channels][height][width]})
     * is the decoded latent, channel-major: what one full-image masked convolution gives.
     */
    public float[] contextOf(float[] yHat, int height, int width) {
        int positions = height * width;
        if (yHat.length != channels * positions) {
            throw new IllegalArgumentException("latent has " + yHat.length + " values, expected " + channels + "x" + height + "x" + width);
        }
        Work work = new Work(new float[paramChannels * positions], height, width);
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < positions; p++) {
                work.yHat[p * channels + c] = yHat[c * positions + p];
            }
        }
        int out = context.outChannels();
        float[] result = new float[out * positions];
        for (int h = 0; h < height; h++) {
            work.startRow(h);
            for (int w = 0; w < width; w++) {
                float[] ctx = work.context(h, w);
                for (int o = 0; o < out; o++) {
                    result[o * positions + h * width + w] = ctx[o];
                }
            }
        }
        return result;
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

    /** Buffers of one call: the latent so far (position-major) and the per-row partial sums. */
    private final class Work {
        final float[] params;
        final int height;
        final int width;
        final float[] yHat;
        final float[][] ctxRow;
        final float[][] firstRow;
        final float[][] tapsRow;
        final float[][] paramsRow;
        final float[] acc;
        final float[] gauss = new float[2 * channels];
        final PointwiseNet.Scratch netScratch = entropyParameters.newScratch();
        final CausalKernel.Scratch kernelScratch = context.newScratch();

        Work(float[] params, int height, int width) {
            if (height <= 0 || width <= 0) {
                throw new IllegalArgumentException("latent size must be positive, got " + height + "x" + width);
            }
            if (params.length != paramChannels * height * width) {
                throw new IllegalArgumentException("params have " + params.length + " values, expected "
                        + paramChannels + "x" + height + "x" + width);
            }
            this.params = params;
            this.height = height;
            this.width = width;
            this.yHat = new float[height * width * channels];
            int first = entropyParameters.firstLayerWidth();
            this.ctxRow = new float[width][context.outChannels()];
            this.firstRow = new float[width][first];
            this.tapsRow = new float[width][context.aboveTaps() * channels];
            this.paramsRow = new float[width][paramChannels];
            this.acc = new float[first];
        }

        /** Sums, for every position of row h, the context terms from rows above and the first layer's params terms. */
        void startRow(int h) {
            context.startRow(yHat, width, h, ctxRow, tapsRow);
            int positions = height * width;
            float[] bias = entropyParameters.firstLayerBias();
            for (int w = 0; w < width; w++) {
                int pos = h * width + w;
                float[] pw = paramsRow[w];
                for (int p = 0; p < paramChannels; p++) {
                    pw[p] = params[p * positions + pos];
                }
                System.arraycopy(bias, 0, firstRow[w], 0, bias.length);
            }
            Gemv.accumulateBlock(entropyParameters.firstLayerRows(), 0, paramChannels, paramsRow, firstRow, width,
                    bias.length);
        }

        /** The complete context of (h, w); valid once every earlier position is in {@link #yHat}. */
        float[] context(int h, int w) {
            float[] ctx = ctxRow[w];
            context.finishPosition(yHat, width, h, w, ctx, kernelScratch);
            return ctx;
        }

        /** Scales (first half) and means (second half) of position (h, w). */
        float[] gaussianParams(int h, int w) {
            float[] ctx = context(h, w);
            System.arraycopy(firstRow[w], 0, acc, 0, acc.length);
            entropyParameters.addFirstLayerInputs(ctx, 0, paramChannels, paramChannels + ctx.length, acc, netScratch);
            entropyParameters.finish(acc, gauss, 0, netScratch);
            return gauss;
        }
    }
}
