package dev.tinify;

import dev.tinify.dsl.Metric;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.dsl.Spec;
import dev.tinify.dsl.SpecWriter;
import dev.tinify.runtime.checkpoint.CheckpointException;
import dev.tinify.runtime.coding.CorruptStreamException;
import dev.tinify.runtime.coding.EntropyCoder;
import dev.tinify.runtime.coding.EntropyCoders;
import dev.tinify.runtime.container.TfyContainer;
import dev.tinify.runtime.container.TinifyFormatException;
import dev.tinify.runtime.entropy.EntropyModel;
import dev.tinify.runtime.entropy.EntropyModels;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.codecs.vbr.Rate;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.model.MemoryBudget;
import dev.tinify.zoo.ShippedWeights;
import dev.tinify.zoo.ZooEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Image-level compression with a model: an {@link RgbImage} in, a {@link TfyContainer} out, and
 * back. The image is padded to the model's stride (centred, as CompressAI), coded, and the
 * container records what a decoder needs to rebuild the same model: architecture name, spec hash,
 * weights fingerprint, quality, metric, entropy coder, padding and the original size. Decoding
 * refuses a container encoded with other weights than the loaded ones.
 *
 * <pre>{@code
 * try (Codec codec = Codec.open("bmshj2018-hyperprior", 3, Metric.MSE, Map.of(), weights)) {
 *     TfyContainer c = codec.compress(ImageFiles.read(png));
 *     c.write(tfy);
 * }
 * try (Codec codec = Codec.forContainer(c, null, Map.of(), weights)) {
 *     RgbImage decoded = codec.decompress(c);
 * }
 * }</pre>
 *
 * <p>Weights: an explicit safetensors file, else the zoo entry's file ({@link ZooEntry#weightsFileName()})
 * in the folder named by the system property {@value #WEIGHTS_PROPERTY} or the environment variable
 * {@value #WEIGHTS_ENV} ("shipped" weights), else the weights bundled with this build, else none. A
 * weights file with a {@code .json} beside it recording {@code params} (as {@code tinify export}
 * writes it) is built with those parameters unless overrides are given. Without weights the model keeps its initial
 * parameters, drawn from a fixed seed so that an encoder and a decoder built the same way agree;
 * {@link #trained()} is then false and the reconstruction is not useful.
 *
 * <p>Thread safety: a codec may be shared between threads; its methods run one at a time (on this
 * codec, and on its model, see {@link CompressionModel}) and give the bytes one thread would get.
 * Open one codec per thread to code in parallel. Before coding, the memory an image needs is
 * checked against {@link MemoryBudget}.
 */
public final class Codec implements AutoCloseable {
    /** How the entropy parameters are computed, as recorded in the container. */
    public static final String ENTROPY_PARAMS = "libtorch";
    /** System property naming the folder of shipped weights. */
    public static final String WEIGHTS_PROPERTY = "tinify.weights";
    /** Environment variable naming the folder of shipped weights (the property wins). */
    public static final String WEIGHTS_ENV = "TINIFY_WEIGHTS";
    /** Seed of the initial parameters of a model without weights. */
    static final int UNTRAINED_SEED = 0;

    private final CompressionModel model;
    private final int quality;
    private final Metric metric;
    private final String specHash;
    private final @Nullable String weights;
    private EntropyCoder coder = EntropyCoders.defaultCoder();

    private Codec(CompressionModel model, int quality, Metric metric, @Nullable String weights) {
        this.model = model;
        this.quality = quality;
        this.metric = metric;
        this.specHash = specHash(model);
        this.weights = weights;
    }

    /**
     * Builds {@code specOrName} at {@code quality} (the zoo's parameters of that level when the
     * spec has a zoo section, then {@code overrides}) and loads {@code weights}, or the shipped
     * weights of that zoo entry when {@code weights} is null. CDF tables missing from the weights
     * are computed.
     *
     * @throws TinifyException naming the spec, quality or weight file that cannot be used
     */
    public static Codec open(String specOrName, int quality, Metric metric, Map<String, ?> overrides, @Nullable Path weights) {
        return open(Tinify.spec(specOrName), quality, metric, overrides, weights);
    }

    private static Codec open(Spec spec, int quality, Metric metric, Map<String, ?> overrides, @Nullable Path weights) {
        Map<String, Object> params = new LinkedHashMap<>();
        if (spec.zoo() != null) {
            params.putAll(ZooEntry.of(spec, quality, metric).params());
        } else if (quality < 0 || quality > 65535) {
            throw new TinifyException(spec.name() + ": quality " + quality + " is outside 0..65535");
        }
        Path w = weights != null ? weights : spec.zoo() != null ? shippedWeights(ZooEntry.of(spec, quality, metric)) : null;
        if (w != null && !Files.isRegularFile(w)) {
            throw new TinifyException(w + ": no such weight file (expected a safetensors state dict or a PyTorch checkpoint)");
        }
        // Without a weight file or size overrides, the weights bundled with this build, at the sizes they were trained with.
        ShippedWeights bundled = w == null && overrides.isEmpty() && spec.zoo() != null
                ? ShippedWeights.find(ZooEntry.of(spec, quality, metric)).orElse(null) : null;
        if (bundled != null) {
            params.putAll(bundled.params());
        } else if (w != null && overrides.isEmpty()) {
            // Exported weights record the sizes they were trained with beside them.
            params.putAll(ShippedWeights.paramsBeside(w));
        }
        params.putAll(overrides);
        if (w == null && bundled == null) {
            // The engine's generator draws the initial parameters: a fixed seed makes them the same in encoder and decoder.
            Engine.getInstance().setRandomSeed(UNTRAINED_SEED);
        }
        CompressionModel model = Tinify.build(spec, params);
        try {
            String source = null;
            if (w != null) {
                load(model, w, quality, metric);
                source = w.toString();
            } else if (bundled != null) {
                model.load(bundled.stateDict());
                source = bundled.resource();
            }
            model.update(false);
            return new Codec(model, quality, metric, source);
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
    public static Codec forContainer(TfyContainer container, @Nullable String specOrName, Map<String, ?> overrides,
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

    /** Loads weights; a state dict of another configuration is summarised on one line (the full list stays in the cause). */
    private static void load(CompressionModel model, Path w, int quality, Metric metric) {
        try {
            Tinify.load(model, w);
        } catch (CheckpointException e) {
            List<String> first = !e.mismatched().isEmpty() ? e.mismatched() : !e.missing().isEmpty() ? e.missing() : e.unexpected();
            throw new TinifyException(w + ": not a state dict of " + model.name() + " q" + quality + " " + metric.id() + " "
                    + model.params() + ": " + e.mismatched().size() + " mismatched, " + e.missing().size() + " missing, "
                    + e.unexpected().size() + " unexpected keys (first: " + first.get(0) + "); check -m, -q, --metric and --set", e);
        }
    }

    /**
     * The shipped weights of a zoo entry: {@link ZooEntry#weightsFileName()} in the folder of
     * {@value #WEIGHTS_PROPERTY} / {@value #WEIGHTS_ENV}, or null if there is none.
     */
    public static @Nullable Path shippedWeights(ZooEntry entry) {
        String dir = System.getProperty(WEIGHTS_PROPERTY);
        if (dir == null || dir.isBlank()) {
            dir = System.getenv(WEIGHTS_ENV);
        }
        if (dir == null || dir.isBlank()) {
            return null;
        }
        Path p = Path.of(dir).resolve(entry.weightsFileName());
        return Files.isRegularFile(p) ? p : null;
    }

    /**
     * Lowercase hex SHA-256 of the spec's canonical text ({@link SpecWriter}) and the model's
     * resolved numeric parameters: two models with the same hash have the same architecture and
     * sizes. Formatting and comments of the spec file do not change it.
     */
    public static String specHash(CompressionModel model) {
        StringBuilder text = new StringBuilder(SpecWriter.write(model.spec()));
        text.append("\n# resolved parameters\n");
        new TreeMap<>(model.params()).forEach((k, v) -> text.append(k).append('=').append(canonical(v)).append('\n'));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** Integral values print alike whether they were given as 16 or 16.0. */
    private static String canonical(Number v) {
        double d = v.doubleValue();
        return d == Math.rint(d) && !Double.isInfinite(d) ? Long.toString((long) d) : Double.toString(d);
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

    /** Pads {@code image} to the model's stride, codes it, and returns the container. */
    public synchronized TfyContainer compress(RgbImage image) {
        Padding pad = Padding.forStride(image.height(), image.width(), model.downsamplingFactor());
        MemoryBudget.checkImage(model, pad.paddedHeight(image.height()), pad.paddedWidth(image.width()));
        // Taken before coding, as the decoder takes it before decoding.
        String weightsFingerprint = model.weightsFingerprint();
        CompressionModel.Compressed out;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = image.pad(pad).toNDArray(m);
            out = model.variableRate() ? model.compress(x, levelOf(quality)) : model.compress(x);
        } catch (IllegalArgumentException e) {
            throw new TinifyException(model.name() + ": cannot compress: " + e.getMessage(), e);
        }
        return new TfyContainer(model.name(), specHash, weightsFingerprint, quality, metric.id(), coderName(), ENTROPY_PARAMS,
                image.height(), image.width(), pad, out.shape(), out.strings());
    }

    /**
     * The rate of a variable-rate model at zoo quality {@code q}: its trained level q - 1 (the
     * container records the quality, so the decoder uses the same level).
     */
    private static Rate levelOf(int q) {
        return Rate.level(q - 1);
    }

    /**
     * Decodes a container written by this model (see {@link #forContainer}) and removes the padding.
     * A container whose weights fingerprint is not this model's is refused before anything is
     * decoded; one without a fingerprint (format version 1) cannot be checked and is decoded.
     *
     * @throws TinifyFormatException if the container was encoded with other weights, or the strings
     *     or shape cannot be decoded
     */
    public synchronized RgbImage decompress(TfyContainer c) throws TinifyFormatException {
        checkWeights(c);
        int h = c.padding().paddedHeight(c.height());
        int w = c.padding().paddedWidth(c.width());
        int f = model.downsamplingFactor();
        // Any other padding would decode to a shifted crop without an error.
        Padding centred = Padding.forStride(c.height(), c.width(), f);
        if (!c.padding().equals(centred)) {
            throw new TinifyFormatException("padding " + c.padding() + " of the " + c.height() + "x" + c.width()
                    + " image is not the centred padding the encoder writes for stride " + f + " (" + centred + ")");
        }
        checkShapeFits(c.latentShape(), (long) h * w);
        MemoryBudget.checkImage(model, h, w);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray xHat = model.variableRate() ? model.decompress(m, c.strings(), c.latentShape(), levelOf(c.quality()))
                    : model.decompress(m, c.strings(), c.latentShape());
            RgbImage padded = RgbImage.fromNDArray(xHat);
            if (padded.height() != h || padded.width() != w) {
                throw new TinifyFormatException("the latent shape " + c.latentShape() + " decodes to " + padded.height() + "x"
                        + padded.width() + ", the header says " + h + "x" + w);
            }
            return padded.crop(c.padding());
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
    private void checkWeights(TfyContainer c) throws TinifyFormatException {
        String recorded = c.weightsFingerprint();
        if (recorded != null && !recorded.equals(weightsFingerprint())) {
            throw new TinifyFormatException("weights mismatch: the file was encoded by " + c.architecture() + " q" + c.quality() + " "
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
    private static void checkShapeFits(Object shape, long pixels) throws TinifyFormatException {
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
                    checkShapeFits(o, pixels);
                }
            }
            if (allInts && product > 4 * pixels) {
                throw new TinifyFormatException("latent shape " + shape + " is too large for a " + pixels + "-pixel image");
            }
        } else if (shape instanceof Map<?, ?> map) {
            for (Object o : map.values()) {
                checkShapeFits(o, pixels);
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

    /** The spec hash recorded in containers; see {@link #specHash(CompressionModel)}. */
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

    /** The name of the entropy coder in use, as recorded in containers. */
    public String coderName() {
        return coder.name();
    }

    /** E.g. {@code bmshj2018-hyperprior q3 mse {N=16, M=24}}. */
    public String describe() {
        return model.name() + " q" + quality + " " + metric.id() + " " + model.params();
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
