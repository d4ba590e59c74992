package dev.tinify.runtime.codecs.context;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.codecs.Parts;
import dev.tinify.runtime.codecs.Quantizer;
import dev.tinify.runtime.coding.CdfTables;
import dev.tinify.runtime.coding.EntropyCoder;
import dev.tinify.runtime.entropy.EntropyModel;
import dev.tinify.runtime.entropy.GaussianConditional;
import dev.tinify.runtime.layers.LayerModule;
import dev.tinify.runtime.layers.MaskedConv2d;
import dev.tinify.runtime.nn.ForwardScope;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * Autoregression in raster-scan order with a masked-convolution context (CompressAI's
 * {@code RasterScanLatentCodec}, and the coding loop of {@code JointAutoregressiveHierarchicalPriors}):
 * the context of each position is {@code context_prediction} over the already decoded positions,
 * {@code entropy_parameters(cat(params, context))} gives Gaussian scales then means, and the
 * symbols of all channels of a position are coded together, positions in raster order, one
 * stream per batch item. Shape {@code [h, w]}.
 *
 * <p>{@link #forward} evaluates the context with one full-image masked convolution over the
 * quantized latent. {@link #compress} and {@link #decompress} run position by position in plain
 * Java ({@link RasterScanEngine}): the weights are copied out of the arrays once per call and
 * batch items are coded in parallel.
 *
 * <p>Parts: {@code gaussian_conditional}, {@code entropy_parameters} (1x1 convolutions and
 * ReLU/LeakyReLU), {@code context_prediction} (a type-A {@link MaskedConv2d}).
 *
 * <p>With {@link Quantizer#STE} the latent that forward returns for the synthesis is
 * {@code round(y - means) + means} with a straight-through gradient, as the decoder will see it,
 * while the context and the likelihoods still use the noisy latent in training ("mixed"
 * quantization: the synthesis never learns from noise it will not get; refinement's rounding
 * stand-in replaces the rounding when one is open).
 */
public final class RasterScanLatentCodec extends ContextCodec {
    private static final String NAME = "RasterScanLatentCodec";

    private final GaussianConditional gaussianConditional;
    private final LayerModule entropyParameters;
    private final MaskedConv2d contextPrediction;
    private final Quantizer quantizer;

    /** A codec whose forward returns the quantized latent the context model reads ({@link Quantizer#NOISE}). */
    public RasterScanLatentCodec(GaussianConditional gaussianConditional, LayerModule entropyParameters,
            MaskedConv2d contextPrediction, Parts parts) {
        this(gaussianConditional, entropyParameters, contextPrediction, Quantizer.NOISE, parts);
    }

    /**
     * @param gaussianConditional entropy model of the latent
     * @param entropyParameters maps {@code cat(params, context)} to scales and means
     * @param contextPrediction the masked context convolution
     * @param quantizer how forward quantizes the latent it returns
     * @param parts {@link Parts#CHILDREN} to register the parts under their CompressAI names,
     *     {@link Parts#EXTERNAL} when the caller registers them (classic models: model root)
     */
    public RasterScanLatentCodec(GaussianConditional gaussianConditional, LayerModule entropyParameters,
            MaskedConv2d contextPrediction, Quantizer quantizer, Parts parts) {
        super(parts);
        this.quantizer = quantizer;
        this.gaussianConditional = part("gaussian_conditional", gaussianConditional);
        this.entropyParameters = part("entropy_parameters", entropyParameters);
        this.contextPrediction = part("context_prediction", contextPrediction);
    }

    public GaussianConditional gaussianConditional() {
        return gaussianConditional;
    }

    @Override
    public ForwardOut forward(NDArray y, @Nullable NDArray params) {
        Shape s = nchw(y, "the latent", NAME);
        NDArray p = requireSide(params, s, "side parameters (hyper-decoder output)", NAME);
        try (ForwardScope scope = scope(y.getManager(), y, p)) {
            NDArray yHat = gaussianConditional.quantize(y,
                    isTraining() ? EntropyModel.Mode.NOISE : EntropyModel.Mode.DEQUANTIZE, null);
            NDArray ctx = contextPrediction.forward(yHat);
            NDArray gaussian = entropyParameters.forward(NDArrays.concat(new NDList(p, ctx), 1));
            NDList sm = gaussian.split(2, 1);
            EntropyModel.Output out = gaussianConditional.forward(y, sm.get(0), sm.get(1));
            NDArray forSynthesis = quantizer == Quantizer.STE ? gaussianConditional.quantize(y, EntropyModel.Mode.STE, sm.get(1)) : yHat;
            return new ForwardOut(Map.of("y", scope.keep(out.likelihoods())), scope.keep(forSynthesis));
        }
    }

    @Override
    public CompressOut compress(NDArray y, @Nullable NDArray params) {
        Shape s = nchw(y, "the latent", NAME);
        NDArray p = requireSide(params, s, "side parameters (hyper-decoder output)", NAME);
        int batch = (int) s.get(0);
        int c = (int) s.get(1);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        RasterScanEngine engine = engine((int) p.getShape().get(1), c);
        float[] yAll = finite(y.toFloatArray(), "latent");
        float[] pAll = finite(p.toFloatArray(), "side parameters");
        int yPer = c * h * w;
        int pPer = pAll.length / batch;
        CdfTables tables = gaussianConditional.cdfTables();
        EntropyCoder coder = gaussianConditional.entropyCoder();
        byte[][] strings = new byte[batch][];
        float[] yHat = new float[yAll.length];
        IntStream.range(0, batch).parallel().forEach(b -> {
            RasterScanEngine.Encoded e = engine.encode(Arrays.copyOfRange(yAll, b * yPer, (b + 1) * yPer),
                    Arrays.copyOfRange(pAll, b * pPer, (b + 1) * pPer), h, w, gaussianConditional.margins());
            strings[b] = coder.encodeWithIndexes(e.symbols(), e.indexes(), tables);
            System.arraycopy(e.yHat(), 0, yHat, b * yPer, yPer);
        });
        return new CompressOut(List.of(List.of(strings)), list(h, w), y.getManager().create(yHat, s));
    }

    /**
     * Decodes. The latent has the side parameters' spatial size; {@code shape}, when it is a list
     * of sizes (as compress returns it), is checked against it. Classic models pass an empty
     * shape, since CompressAI derives the size from the hyper-latent there.
     */
    @Override
    public NDArray decompress(NDManager manager, List<List<byte[]>> strings, Object shape, @Nullable NDArray params) {
        if (params == null) {
            throw new IllegalArgumentException(NAME + ": side parameters (hyper-decoder output) are required");
        }
        Shape ps = nchw(params, "the side parameters", NAME);
        int batch = (int) ps.get(0);
        if (strings.size() != 1) {
            throw new IllegalArgumentException(NAME + ": expected 1 stream, got " + strings.size());
        }
        checkBatch(strings, batch, NAME);
        int h = (int) ps.get(2);
        int w = (int) ps.get(3);
        if (!(shape instanceof List<?> l && l.isEmpty())) {
            int[] hw = sizes(shape, 2, NAME);
            if (hw[0] != h || hw[1] != w) {
                throw new IllegalArgumentException(NAME + ": side parameters " + ps + " do not match the latent size "
                        + hw[0] + "x" + hw[1]);
            }
        }
        int c = contextPrediction.inChannels();
        RasterScanEngine engine = engine((int) ps.get(1), c);
        float[] pAll = finite(params.toFloatArray(), "side parameters");
        int pPer = pAll.length / batch;
        int yPer = c * h * w;
        CdfTables tables = gaussianConditional.cdfTables();
        EntropyCoder coder = gaussianConditional.entropyCoder();
        float[] yHat = new float[batch * yPer];
        IntStream.range(0, batch).parallel().forEach(b -> {
            EntropyCoder.Decoder decoder = coder.newDecoder(strings.get(0).get(b));
            float[] one = engine.decode(Arrays.copyOfRange(pAll, b * pPer, (b + 1) * pPer), h, w,
                    indexes -> decoder.decodeStream(indexes, tables), gaussianConditional.margins());
            System.arraycopy(one, 0, yHat, b * yPer, yPer);
        });
        return manager.create(yHat, new Shape(batch, c, h, w));
    }

    /** Refuses NaN and infinities, which would silently code as symbol 0. */
    private static float[] finite(float[] values, String what) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException(NAME + ": the " + what + " hold a non-finite value (" + values[i]
                        + ") at flat index " + i);
            }
        }
        return values;
    }

    /** The plain-Java engine over the current weights (copied now, so later updates are seen). */
    private RasterScanEngine engine(int paramChannels, int channels) {
        if (contextPrediction.inChannels() != channels) {
            throw new IllegalArgumentException(NAME + ": context_prediction takes " + contextPrediction.inChannels()
                    + " channels, the latent has " + channels);
        }
        if (contextPrediction.stride() != 1) {
            throw new IllegalArgumentException(NAME + ": context_prediction must have stride 1 to run per position, got "
                    + contextPrediction.describe());
        }
        Shape ws = contextPrediction.weight().getShape();
        NDArray bias = contextPrediction.bias();
        CausalKernel kernel = CausalKernel.of((int) ws.get(0), (int) ws.get(1), (int) ws.get(2),
                contextPrediction.weight().toFloatArray(), contextPrediction.mask().toFloatArray(),
                bias == null ? new float[0] : bias.toFloatArray());
        PointwiseNet net = PointwiseNet.of(entropyParameters);
        ScaleIndexer indexer = new ScaleIndexer(gaussianConditional.scaleTable(),
                gaussianConditional.ownParams().get("scale_bound").value().toFloatArray()[0]);
        return new RasterScanEngine(kernel, net, indexer, paramChannels);
    }
}
