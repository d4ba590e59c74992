package dev.tinify;

import dev.tinify.dsl.Spec;
import dev.tinify.runtime.container.TfyContainer;
import dev.tinify.runtime.image.AlphaMode;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.image.Tiling;
import dev.tinify.runtime.metrics.Bpp;
import dev.tinify.runtime.refine.Refinement;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The public API: a model opened once, compressing images into {@code .tfy} bytes and
 * decompressing them again.
 *
 * <pre>{@code
 * try (ImageCompressor tinify = ImageCompressor.zoo("bmshj2018-hyperprior", 3)) {
 *     ImageCompressor.Compressed c = tinify.compress(Path.of("photo.png"));
 *     byte[] tfy = c.bytes();                       // c.bpp(), c.width(), c.height(), c.seconds()
 *     RgbImage back = tinify.decompress(tfy);
 * }
 * }</pre>
 *
 * <p>Open a zoo entry ({@link #zoo}), or configure any spec with {@link #builder(String)} (bundled
 * name or spec file), {@link #builder(Path)} or {@link #builder(Spec)} (declared in code), with
 * optional weights. A model without trained weights is refused ({@link UntrainedWeightsException})
 * unless {@link Builder#allowUntrained()}. Images are PNG (8/16-bit), JPEG or PNM, grey or RGB;
 * images larger than a tile are coded in tiles ({@link Builder#tiling}). Every failure is a
 * {@link TinifyException}; a damaged or foreign {@code .tfy} is its subclass
 * {@code TinifyFormatException}. An instance holds native memory: close it. It may be shared
 * between threads: its calls run one at a time (open one per thread to code in parallel).
 */
public final class ImageCompressor implements AutoCloseable {
    private final Codec codec;
    private final Refinement refinement;

    private ImageCompressor(Codec codec, Refinement refinement) {
        this.codec = codec;
        this.refinement = refinement;
    }

    /** The zoo entry {@code name} at {@code quality} for MSE, with its shipped weights. */
    public static ImageCompressor zoo(String name, int quality) {
        return builder(name).quality(quality).open();
    }

    /** Configures the bundled spec {@code name} or the spec file at that path. */
    public static Builder builder(String specOrName) {
        return new Builder(Tinify.spec(specOrName));
    }

    /** Configures the spec file {@code specFile}. */
    public static Builder builder(Path specFile) {
        return new Builder(Tinify.SpecSource.file(specFile).read());
    }

    /** Configures a spec declared in code (the dsl's {@code Spec.builder}, Kotlin {@code spec { }}). */
    public static Builder builder(Spec spec) {
        return new Builder(spec);
    }

    /**
     * Opens the model a {@code .tfy} file names (its bundled spec, quality, metric and shipped
     * weights), to decompress it and files like it.
     */
    public static ImageCompressor forFile(byte[] tfy) {
        return new ImageCompressor(Codec.forContainer(TfyContainer.parse(tfy), null, Map.of(), null), Refinement.NONE);
    }

    /** What a compression produced. */
    public record Compressed(byte[] bytes, int width, int height, long codedBytes, double bpp, int tiles, double seconds) {
        /** The {@code .tfy} file's bytes (not a copy). */
        @Override
        public byte[] bytes() {
            return bytes;
        }
    }

    /** Compresses an image (refining its latent first when the builder asked for it, {@link Builder#refine}). */
    public Compressed compress(RgbImage image) {
        long start = System.nanoTime();
        TfyContainer c = codec.compress(image, refinement);
        byte[] bytes = c.toBytes();
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Compressed(bytes, c.width(), c.height(), c.stringBytes(), Bpp.of(c.stringBytes(), c.height(), c.width()),
                c.segments().size(), seconds);
    }

    /** Compresses an image file (PNG, JPEG, PNM; alpha dropped). */
    public Compressed compress(Path imageFile) {
        try {
            return compress(ImageFiles.read(imageFile, AlphaMode.DROP));
        } catch (IOException e) {
            throw new TinifyException(imageFile + ": " + e.getMessage(), e);
        }
    }

    /** Compresses the image file read from {@code in} (not closed). */
    public Compressed compress(InputStream in) {
        try {
            return compress(ImageFiles.decode(in.readAllBytes(), AlphaMode.DROP));
        } catch (IOException e) {
            throw new TinifyException("image stream: " + e.getMessage(), e);
        }
    }

    /** Compresses an image and writes the {@code .tfy} bytes to {@code out} (not closed). */
    public Compressed compress(RgbImage image, OutputStream out) {
        Compressed c = compress(image);
        try {
            out.write(c.bytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return c;
    }

    /** Decompresses {@code .tfy} bytes written by this model. */
    public RgbImage decompress(byte[] tfy) {
        return codec.decompress(TfyContainer.parse(tfy));
    }

    /** Decompresses a {@code .tfy} file written by this model. */
    public RgbImage decompress(Path tfyFile) {
        try {
            return decompress(Files.readAllBytes(tfyFile));
        } catch (IOException e) {
            throw new TinifyException(tfyFile + ": " + e.getMessage(), e);
        } catch (TinifyException e) {
            throw e instanceof dev.tinify.runtime.container.TinifyFormatException
                    ? new dev.tinify.runtime.container.TinifyFormatException(tfyFile + ": " + e.getMessage()) : e;
        }
    }

    /** Decompresses the {@code .tfy} bytes read from {@code in} (not closed). */
    public RgbImage decompress(InputStream in) {
        try {
            return decompress(in.readAllBytes());
        } catch (IOException e) {
            throw new TinifyException(".tfy stream: " + e.getMessage(), e);
        }
    }

    /** E.g. {@code bmshj2018-hyperprior q3 mse {N=64, M=96}}. */
    public String describe() {
        return codec.describe();
    }

    /** Where the weights came from: a file or a bundled resource, or null for untrained weights. */
    public @Nullable String weights() {
        return codec.weights();
    }

    @Override
    public void close() {
        codec.close();
    }

    /** The configuration of a model to open; every setting has a default. */
    public static final class Builder extends ModelSettings<Builder> {
        private Tiling tiling = Codec.DEFAULT_TILING;
        private Refinement refinement = Refinement.NONE;

        private Builder(Spec spec) {
            super(spec);
        }

        @Override
        Builder self() {
            return this;
        }

        /** How images larger than a tile are cut ({@link Tiling#NONE}: never; default {@link Codec#DEFAULT_TILING}). */
        public Builder tiling(Tiling t) {
            tiling = t;
            return this;
        }

        /**
         * Refines each image's latent before coding it ({@link Refinement#steps(int)}; default
         * {@link Refinement#NONE}): a slower encode of a smaller file that every decoder reads.
         */
        public Builder refine(Refinement r) {
            refinement = java.util.Objects.requireNonNull(r, "refinement");
            return this;
        }

        /**
         * Builds the model and loads its weights.
         *
         * @throws UntrainedWeightsException if there are no trained weights and {@link #allowUntrained()} was not called
         */
        public ImageCompressor open() {
            Codec codec = Codec.open(spec, quality, metric, params, weights);
            try {
                if (!allowUntrained) {
                    codec.refuseUntrained("give weights(file), or allowUntrained() for a model whose pictures are not useful");
                }
                codec.useCoder(coder);
                codec.useTiling(tiling);
                return new ImageCompressor(codec, refinement);
            } catch (RuntimeException e) {
                codec.close();
                throw e;
            }
        }
    }
}
