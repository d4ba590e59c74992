package dev.tinify;

import dev.tinify.dsl.Metric;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.dsl.Spec;
import dev.tinify.dsl.SpecHash;
import dev.tinify.runtime.coding.CorruptStreamException;
import dev.tinify.runtime.coding.EntropyCoder;
import dev.tinify.runtime.coding.EntropyCoders;
import dev.tinify.runtime.container.LatentSegment;
import dev.tinify.runtime.container.TfyContainer;
import dev.tinify.runtime.container.TfyFile;
import dev.tinify.runtime.container.TfyKind;
import dev.tinify.runtime.container.TinifyFormatException;
import dev.tinify.runtime.entropy.EntropyModel;
import dev.tinify.runtime.entropy.EntropyModels;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.Tiling;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.codecs.vbr.Rate;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.model.MemoryBudget;
import dev.tinify.runtime.refine.LatentRefiner;
import dev.tinify.runtime.refine.Refinement;
import dev.tinify.runtime.train.RateDistortionLoss;
import dev.tinify.zoo.Weights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Image-level compression with a model, the layer under {@link ImageCompressor}: an
 * {@link RgbImage} in, a {@link TfyContainer} out, and back. An image no larger than a tile
 * ({@link #DEFAULT_TILING}) is padded to the model's stride (centred, as CompressAI) and coded
 * whole; a larger one is cut into overlapping tiles coded independently ({@link Tiling}), so that
 * memory is bounded by the tile. The container records what a decoder needs to rebuild the same
 * model: architecture name, spec hash, weights fingerprint, quality, metric, entropy coder,
 * padding, tiling and the original size. Decoding refuses a container encoded with other weights
 * than the loaded ones.
 *
 * <p>Weights and parameters are resolved by {@link Weights}. Without weights the model keeps its
 * initial parameters, drawn from a fixed seed so that an encoder and a decoder built the same way
 * agree; {@link #trained()} is then false and the reconstruction is not useful.
 *
 * <p>Thread safety: a codec may be shared between threads; its methods run one at a time (on this
 * codec, and on its model, see {@link CompressionModel}) and give the bytes one thread would get.
 * Open one codec per thread to code in parallel. Before coding, the memory an image (or a tile)
 * needs is checked against {@link MemoryBudget}.
 */
public final class Codec implements AutoCloseable {
    /** How the entropy parameters are computed, as recorded in the container. */
    public static final String ENTROPY_PARAMS = "libtorch";
    /**
     * Tiles of 1024 pixels sharing 64: an image up to 1024 on both sides is coded whole, as
     * CompressAI codes it; larger ones in tiles of about a megapixel, so that coding a 4K photo
     * needs about the memory of a 1024x1024 one.
     */
    public static final Tiling DEFAULT_TILING = new Tiling(1024, 64);
    /** Seed of the initial parameters of a model without weights. */
    static final int UNTRAINED_SEED = 0;

    private final CompressionModel model;
    private final int quality;
    private final Metric metric;
    private final String specHash;
    private final @Nullable String weights;
    /** The quality coded at: {@link #quality} unless a variable-rate model was given another ({@link #useQuality}). */
    private double qualityValue;
    private EntropyCoder coder = EntropyCoders.defaultCoder();
    private Tiling tiling = DEFAULT_TILING;

    private Codec(CompressionModel model, int quality, Metric metric, @Nullable String weights) {
        this.model = model;
        this.quality = quality;
        this.qualityValue = quality;
        this.metric = metric;
        this.specHash = SpecHash.of(model.spec(), model.params());
        this.weights = weights;
    }

    /**
     * Builds {@code specOrName} at {@code quality} (the zoo's parameters of that level when the
     * spec has a zoo section, then {@code overrides}) with the weights {@link Weights#resolve}
     * finds: {@code weights}, else the shipped weights of that zoo entry. CDF tables missing from
     * the weights are computed.
     *
     * @throws TinifyException naming the spec, quality or weight file that cannot be used
     */
    public static Codec open(String specOrName, int quality, Metric metric, Map<String, ?> overrides, @Nullable Path weights) {
        return open(Tinify.spec(specOrName), quality, metric, overrides, weights);
    }

    /** As {@link #open(String, int, Metric, Map, Path)}, for a spec read or declared in code. */
    public static Codec open(Spec spec, int quality, Metric metric, Map<String, ?> overrides, @Nullable Path weights) {
        if (spec.zoo() == null && (quality < 0 || quality > 65535)) {
            throw new TinifyException(spec.name() + ": quality " + quality + " is outside 0..65535");
        }
        Weights w = Weights.resolve(spec, quality, metric, overrides, weights);
        CompressionModel model;
        if (w.trained()) {
            model = Tinify.build(spec, w.params());
        } else {
            // The engine's generator draws the initial parameters: a fixed seed makes them the same in encoder and decoder,
            // and no other thread may draw from the generator between the seed and the build.
            synchronized (Engine.class) {
                Engine.getInstance().setRandomSeed(UNTRAINED_SEED);
                model = Tinify.build(spec, w.params());
            }
        }
        try {
            w.loadInto(model);
            model.update(false);
            return new Codec(model, quality, metric, w.source());
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Rebuilds the model that wrote {@code container}: the spec is {@code specOrName} if given (its
     * name must be the recorded architecture), else the bundled spec of that name (a file never
     * makes the decoder read another file it names); quality and metric are the recorded ones.
     * Refuses a model whose spec hash differs from the recorded one, and containers whose coder or
     * entropy-parameter method this library does not have; the recorded weights fingerprint is
     * checked by {@link #decompress}.
     *
     * @throws UndecodableFileException naming what the file records and what differs
     * @throws TinifyException if the given spec or weights cannot be used
     */
    public static Codec forContainer(TfyFile container, @Nullable String specOrName, Map<String, ?> overrides,
            @Nullable Path weights) {
        if (!ENTROPY_PARAMS.equals(container.entropyParams())) {
            throw new UndecodableFileException("entropy parameters were computed by '" + container.entropyParams()
                    + "'; this decoder computes them with " + ENTROPY_PARAMS + " and cannot promise the same symbols");
        }
        EntropyCoder coder;
        Metric metric;
        try {
            coder = EntropyCoders.get(container.entropyCoder());
            metric = Metric.parse(container.metric());
        } catch (IllegalArgumentException e) {
            throw new UndecodableFileException(e.getMessage(), e);
        }
        Spec spec;
        if (specOrName != null) {
            spec = Tinify.spec(specOrName);
        } else {
            try {
                spec = Tinify.bundledSpec(container.architecture());
            } catch (TinifyException e) {
                throw new UndecodableFileException("the file was encoded with architecture " + e.getMessage()
                        + "; pass the spec file it was encoded with (-m FILE.yaml)", e);
            }
        }
        if (!spec.name().equals(container.architecture())) {
            throw new UndecodableFileException("the file was encoded with architecture '" + container.architecture() + "', but "
                    + specOrName + " is '" + spec.name() + "'");
        }
        Codec codec = open(spec, container.quality(), metric, overrides, weights);
        try {
            if (!codec.specHash.equals(container.specHash())) {
                throw new UndecodableFileException("spec hash mismatch: the file was encoded by " + container.architecture() + " @"
                        + differingPrefix(container.specHash(), codec.specHash) + ", but " + codec.describe() + " has @"
                        + differingPrefix(codec.specHash, container.specHash())
                        + "; decode with the spec file and --set overrides used for encoding");
            }
            codec.useCoder(coder);
            return codec;
        } catch (RuntimeException e) {
            codec.close();
            throw e;
        }
    }

    /** A prefix of hash {@code a} long enough (at least 12 digits) to show where it differs from {@code b}. */
    private static String differingPrefix(String a, String b) {
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return a.substring(0, Math.min(a.length(), Math.max(12, i + 1)));
    }

    /** Codes with entropy coder {@code name} ({@code ans} or {@code range}) from now on. */
    public synchronized void useCoder(String name) {
        try {
            useCoder(EntropyCoders.get(name));
        } catch (IllegalArgumentException e) {
            throw new TinifyException(e.getMessage(), e);
        }
    }

    private void useCoder(EntropyCoder c) {
        coder = c;
        for (EntropyModel e : EntropyModels.find(model)) {
            e.setEntropyCoder(c);
        }
    }

    /**
     * Codes at the real-valued quality {@code q} from now on, for a variable-rate model: any value
     * from 1 to its number of trained levels, {@code 3.5} lying between trained gains 3 and 4
     * (interpolated geometrically, {@link Rate#position}). The container records it, so a decoder
     * needs no option. An integer codes exactly as that zoo quality.
     *
     * @throws TinifyException for a fixed-rate model (its qualities are its zoo levels) or a
     *     quality outside the trained range
     */
    public synchronized void useQuality(double q) {
        if (!model.variableRate()) {
            throw new TinifyException(model.name() + " is a fixed-rate model: it codes at its zoo qualities (integers), not "
                    + q + "; a real-valued quality needs a variable-rate model (e.g. bmshj2018-hyperprior-vbr)");
        }
        int levels = model.rateLevels();
        if (!(q >= 1 && q <= levels)) {
            throw new TinifyException(model.name() + ": quality " + q + " is outside its trained range 1.." + levels);
        }
        qualityValue = q;
    }

    /** The quality coded at: {@link #quality()}, or the one given to {@link #useQuality}. */
    public synchronized double qualityValue() {
        return qualityValue;
    }

    /** Cuts images larger than {@code t}'s tiles into tiles from now on ({@link Tiling#NONE}: never). */
    public synchronized void useTiling(Tiling t) {
        tiling = t;
    }

    /** The tiling an image of this size is coded with: none when it fits in one tile. */
    public synchronized Tiling tilingFor(int height, int width) {
        return tiling.tiled() && (height > tiling.tile() || width > tiling.tile()) ? tiling : Tiling.NONE;
    }

    /**
     * Codes {@code image}, whole (padded to the model's stride) or in tiles ({@link #tilingFor}),
     * and returns the container.
     */
    public TfyContainer compress(RgbImage image) {
        return compress(image, Refinement.NONE);
    }

    /**
     * As {@link #compress(RgbImage)}, with the latent of the image (or of each tile) refined before
     * coding (see {@link LatentRefiner}): a slower encode of a smaller file or a better picture,
     * which every decoder of the model decodes as usual. The objective is the model's training
     * loss at this codec's quality and metric (the lambda of the spec's zoo section). {@link
     * Refinement#NONE} codes exactly what {@link #compress(RgbImage)} codes.
     *
     * @throws TinifyException if the model cannot be refined (variable-rate, no zoo lambda) or the
     *     image does not fit the memory budget
     */
    public synchronized TfyContainer compress(RgbImage image, Refinement refinement) {
        if (model.pointCloud()) {
            throw new TinifyException(model.name() + " codes point clouds, not images: give it a PLY or OFF file");
        }
        Padding.wasteful(image.height(), image.width(), model.downsamplingFactor()).ifPresent(why -> {
            throw new TinifyException(model.name() + ": " + why);
        });
        // Taken before coding, as the decoder takes it before decoding.
        String weightsFingerprint = model.weightsFingerprint();
        int level = (int) Math.floor(qualityValue);
        Double fraction = qualityValue == level ? null : qualityValue;
        Tiling t = tilingFor(image.height(), image.width());
        if (!t.tiled()) {
            Padding pad = Padding.forStride(image.height(), image.width(), model.downsamplingFactor());
            return new TfyContainer(TfyKind.IMAGE, model.name(), specHash, weightsFingerprint, level, fraction, metric.id(), coderName(),
                    ENTROPY_PARAMS, image.height(), image.width(), pad, Tiling.NONE, List.of(code(image, pad, refinement)));
        }
        List<LatentSegment> segments = new ArrayList<>();
        for (Tiling.Tile tile : t.tiles(image.height(), image.width())) {
            RgbImage part = Tiling.cut(image, tile);
            segments.add(code(part, Padding.forStride(tile.height(), tile.width(), model.downsamplingFactor()), refinement));
        }
        return new TfyContainer(TfyKind.IMAGE, model.name(), specHash, weightsFingerprint, level, fraction, metric.id(), coderName(),
                ENTROPY_PARAMS, image.height(), image.width(), Padding.NONE, t, segments);
    }

    /** Codes one image or tile padded by {@code pad}; its arrays are freed when it returns. */
    private LatentSegment code(RgbImage image, Padding pad, Refinement refinement) {
        RgbImage padded = image.pad(pad);
        MemoryBudget.checkImage(model, padded.height(), padded.width());
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = padded.toNDArray(m);
            CompressionModel.Compressed out;
            if (refinement.enabled()) {
                out = model.compressLatent(refiner(refinement, padded.height(), padded.width()).refine(x, pad).y());
            } else {
                out = model.variableRate() ? model.compress(x, rateAt(qualityValue)) : model.compress(x);
            }
            return new LatentSegment(out.shape(), out.strings());
        } catch (IllegalArgumentException e) {
            throw new TinifyException(model.name() + ": cannot compress: " + e.getMessage(), e);
        }
    }

    /** A refiner for the model's own objective at this quality, for a padded {@code h x w} image. */
    private LatentRefiner refiner(Refinement refinement, int h, int w) {
        if (model.variableRate()) {
            throw new TinifyException(model.name() + ": latent refinement is not available for variable-rate models");
        }
        MemoryBudget.checkRefinement(model, h, w);
        double lambda;
        try {
            lambda = RateDistortionLoss.lambda(model.spec(), metric, quality);
        } catch (IllegalArgumentException e) {
            throw new TinifyException(model.name() + ": latent refinement needs the training lambda of quality " + quality + ": "
                    + e.getMessage(), e);
        }
        return new LatentRefiner(model, new RateDistortionLoss(metric, lambda), refinement);
    }

    /**
     * The rate of a variable-rate model at quality {@code q}: its trained level q - 1, or a position
     * between two levels for a fractional q (the container records the quality, so the decoder uses
     * the same rate).
     */
    private static Rate rateAt(double q) {
        return q == Math.rint(q) ? Rate.level((int) q - 1) : Rate.position(q - 1);
    }

    /**
     * Decodes a container written by this model (see {@link #forContainer}) and removes the padding.
     * A container whose weights fingerprint is not this model's is refused before anything is
     * decoded; one without a fingerprint (format version 1) cannot be checked and is decoded.
     *
     * @throws TinifyFormatException if the container was encoded with other weights, or the strings
     *     or shape cannot be decoded
     */
    public synchronized RgbImage decompress(TfyContainer c) {
        checkWeights(c, c.weightsFingerprint());
        if (c.fractionalQuality() != null && !model.variableRate()) {
            throw new TinifyFormatException("the file records the fractional quality " + c.qualityLabel() + ", but "
                    + model.name() + " is a fixed-rate model");
        }
        java.util.Optional<String> wasteful = Padding.wasteful(c.height(), c.width(), model.downsamplingFactor());
        if (wasteful.isPresent()) {
            throw new TinifyFormatException(wasteful.get() + "; such files are neither written nor decoded");
        }
        if (!c.tiling().tiled()) {
            // Any other padding would decode to a shifted crop without an error.
            Padding centred = Padding.forStride(c.height(), c.width(), model.downsamplingFactor());
            if (!c.padding().equals(centred)) {
                throw new TinifyFormatException("padding " + c.padding() + " of the " + c.width() + "x" + c.height()
                        + " image is not the centred padding the encoder writes for stride " + model.downsamplingFactor()
                        + " (" + centred + ")");
            }
            return decodeSegment(c.segments().get(0), c.height(), c.width(), c.padding(), c.qualityValue());
        }
        List<Tiling.Tile> tiles = c.tiling().tiles(c.height(), c.width());
        List<RgbImage> parts = new ArrayList<>(tiles.size());
        for (int i = 0; i < tiles.size(); i++) {
            Tiling.Tile t = tiles.get(i);
            try {
                parts.add(decodeSegment(c.segments().get(i), t.height(), t.width(),
                        Padding.forStride(t.height(), t.width(), model.downsamplingFactor()), c.qualityValue()));
            } catch (TinifyFormatException e) {
                throw new TinifyFormatException("tile " + (i + 1) + " of " + tiles.size() + ": " + e.getMessage());
            }
        }
        return c.tiling().blend(c.height(), c.width(), parts);
    }

    /** Decodes one segment into a {@code height x width} image (or tile) coded with {@code padding}. */
    private RgbImage decodeSegment(LatentSegment s, int height, int width, Padding padding, double quality) {
        int h = padding.paddedHeight(height);
        int w = padding.paddedWidth(width);
        int f = model.downsamplingFactor();
        if (h % f != 0 || w % f != 0) {
            throw new TinifyFormatException("padded size " + w + "x" + h + " is not a multiple of the model's stride " + f);
        }
        checkShapeFits(s.shape(), (long) h * w, "pixel image");
        MemoryBudget.checkImage(model, h, w);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray xHat = model.variableRate() ? model.decompress(m, s.strings(), s.shape(), rateAt(quality))
                    : model.decompress(m, s.strings(), s.shape());
            RgbImage padded = RgbImage.fromNDArray(xHat);
            if (padded.height() != h || padded.width() != w) {
                throw new TinifyFormatException("the latent shape " + s.shape() + " decodes to " + padded.width() + "x"
                        + padded.height() + ", the header says " + w + "x" + h);
            }
            return padded.crop(padding);
        } catch (CorruptStreamException e) {
            throw new TinifyFormatException("corrupt bitstream: " + e.getMessage());
        } catch (IllegalArgumentException | IllegalStateException | ai.djl.engine.EngineException e) {
            // Shapes and strings that passed the header checks but do not fit this model.
            throw new TinifyFormatException("cannot decode the latents with " + describe() + ": " + e.getMessage());
        }
    }

    /**
     * Other weights decode the same strings into another picture without any error, so a
     * mismatch is refused here, naming both fingerprints and where the right weights come from.
     */
    void checkWeights(TfyFile c, @Nullable String recorded) {
        if (recorded != null && !recorded.equals(weightsFingerprint())) {
            throw new TinifyFormatException("weights mismatch: the file was encoded by " + c.architecture() + " q" + c.qualityLabel() + " "
                    + c.metric() + " with weights " + recorded + ", but the loaded weights ("
                    + Objects.toString(weights, "untrained initial parameters") + ") are " + weightsFingerprint()
                    + "; decode with --weights FILE, the weights file that encoded it (shipped weights change between releases)");
        }
    }

    /**
     * A latent shape holds sizes of latent tensors; none can hold more values than a few per pixel
     * of the padded image, so larger ones are a damaged or hostile header, refused before
     * anything is allocated for them.
     */
    static void checkShapeFits(Object shape, long pixels, String what) {
        if (shape instanceof List<?> list) {
            long product = 1;
            boolean allInts = !list.isEmpty();
            for (Object o : list) {
                if (o instanceof Integer i) {
                    if (i < 0) {
                        throw new TinifyFormatException("latent shape " + shape + " has a negative size");
                    }
                    // Sizes are below 2^31 and capped here, so the product cannot overflow.
                    product = Math.min(Integer.MAX_VALUE * 8L, product * Math.max(1, i));
                } else {
                    allInts = false;
                    checkShapeFits(o, pixels, what);
                }
            }
            if (allInts && product > 4 * pixels) {
                throw new TinifyFormatException("latent shape " + shape + " is too large for a " + pixels + "-" + what);
            }
        } else if (shape instanceof Map<?, ?> map) {
            for (Object o : map.values()) {
                checkShapeFits(o, pixels, what);
            }
        } else if (shape instanceof Integer i && i < 0) {
            throw new TinifyFormatException("latent shape " + shape + " has a negative size");
        }
    }

    /**
     * Runs the model's forward pass (rounding, no coding) on the padded image: the cropped
     * reconstruction and the bits the likelihoods predict, as CompressAI's entropy estimation.
     *
     * @param image reconstruction, not clamped (measuring rounds and clamps it)
     * @param bits -sum(log2 likelihoods) over every latent
     */
    public record Estimate(RgbImage image, double bits) {}

    /** The entropy estimate of {@code image}; see {@link Estimate}. */
    public synchronized Estimate estimate(RgbImage image) {
        Padding pad = Padding.forStride(image.height(), image.width(), model.downsamplingFactor());
        MemoryBudget.checkImage(model, pad.paddedHeight(image.height()), pad.paddedWidth(image.width()));
        try (NDManager m = NDManager.newBaseManager()) {
            CompressionModel.ForwardResult out = model.forward(image.pad(pad).toNDArray(m));
            double bits = 0;
            for (NDArray l : out.likelihoods().values()) {
                bits -= l.log().sum().getFloat() / Math.log(2);
            }
            return new Estimate(RgbImage.fromNDArray(out.xHat()).crop(pad), bits);
        }
    }

    /** The model (owned by this codec). */
    public CompressionModel model() {
        return model;
    }

    public int quality() {
        return quality;
    }

    public Metric metric() {
        return metric;
    }

    /** The spec hash recorded in containers; see {@link SpecHash}. */
    public String specHash() {
        return specHash;
    }

    /** The fingerprint of the loaded weights that containers record; see {@link CompressionModel#weightsFingerprint()}. */
    public String weightsFingerprint() {
        return model.weightsFingerprint();
    }

    /** The weights loaded (a file, or a bundled resource), or null when the model has its initial (untrained) parameters. */
    public @Nullable String weights() {
        return weights;
    }

    /** Whether weights were loaded; without them the reconstruction is not useful. */
    public boolean trained() {
        return weights != null;
    }

    /**
     * Refuses a model without trained weights: its bitstreams decode exactly but its pictures are
     * not useful, which a caller must ask for.
     *
     * @param remedy how the caller gives weights or allows untrained ones, e.g. {@code "pass --weights W"}
     * @throws UntrainedWeightsException if {@link #trained()} is false
     */
    public void refuseUntrained(String remedy) {
        if (!trained()) {
            throw new UntrainedWeightsException(describe() + ": no trained weights (none given and none shipped for this entry); "
                    + remedy);
        }
    }

    /** The name of the entropy coder in use, as recorded in containers. */
    public String coderName() {
        return coder.name();
    }

    /** E.g. {@code bmshj2018-hyperprior q3 mse {N=16, M=24}}. */
    public String describe() {
        double q = qualityValue();
        return model.name() + " q" + (q == quality ? String.valueOf(quality) : String.valueOf(q)) + " " + metric.id() + " "
                + model.params();
    }

    @Override
    public synchronized void close() {
        model.close();
    }

    @Override
    public String toString() {
        return "Codec(" + describe() + ", " + Objects.toString(weights, "untrained") + ")";
    }
}
