package dev.tinify;

import dev.tinify.dsl.Spec;
import dev.tinify.runtime.container.PointCloudContainer;
import dev.tinify.runtime.container.TfyReader;
import dev.tinify.runtime.container.TinifyFormatException;
import dev.tinify.runtime.pointcloud.PointCloud;
import dev.tinify.runtime.pointcloud.PointCloudFiles;
import java.io.IOException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The public API for point clouds, as {@link ImageCompressor} for images: a point-cloud model
 * (a spec with {@code input: points}) opened once, compressing clouds into {@code .tfy} bytes and
 * decompressing them again.
 *
 * <pre>{@code
 * try (PointCloudCompressor tinify = PointCloudCompressor.builder("sfu2023-pcc-rec-pointnet")
 *         .weights(Path.of("pointnet.safetensors")).open()) {
 *     PointCloudCompressor.Compressed c = tinify.compress(Path.of("bunny.ply"));   // or an OFF mesh, or a PointCloud
 *     byte[] tfy = c.bytes();                                                      // c.bitsPerPoint(), c.points()
 *     PointCloud back = tinify.decompress(tfy);
 *     PointCloudMetrics.Errors e = PointCloudMetrics.compare(c.source(), back, PointCloudMetrics.defaultPeak(c.source()));
 * }
 * }</pre>
 *
 * <p>A PLY file is coded as it is; an OFF mesh is first sampled to {@link Builder#meshPoints}
 * points on its surface with {@link Builder#seed}. A model without trained weights is refused
 * ({@link UntrainedWeightsException}) unless {@link Builder#allowUntrained()}. Every failure is a
 * {@link TinifyException}; a damaged or foreign {@code .tfy} is its subclass
 * {@code TinifyFormatException}. An instance holds native memory: close it. Its calls run one at a
 * time.
 */
public final class PointCloudCompressor implements AutoCloseable {
    private final PointCloudCodec codec;
    private final int meshPoints;
    private final long seed;

    private PointCloudCompressor(PointCloudCodec codec, int meshPoints, long seed) {
        this.codec = codec;
        this.meshPoints = meshPoints;
        this.seed = seed;
    }

    /** Configures the bundled spec {@code name} or the spec file at that path. */
    public static Builder builder(String specOrName) {
        return new Builder(Tinify.spec(specOrName));
    }

    /** Configures a spec declared in code or read from a file. */
    public static Builder builder(Spec spec) {
        return new Builder(spec);
    }

    /** What a compression produced. */
    public record Compressed(byte[] bytes, PointCloud source, int points, int codedPoints, long codedBytes, double bitsPerPoint,
            double seconds) {
        /** The {@code .tfy} file's bytes (not a copy). */
        @Override
        public byte[] bytes() {
            return bytes;
        }
    }

    /** Compresses a cloud; {@link Compressed#bitsPerPoint()} counts the strings' bits per point of {@code cloud}. */
    public Compressed compress(PointCloud cloud) {
        long start = System.nanoTime();
        PointCloudContainer c = codec.compress(cloud);
        byte[] bytes = c.toBytes();
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Compressed(bytes, cloud, cloud.size(), codec.inputPoints(cloud.size()), c.stringBytes(), c.bitsPerPoint(), seconds);
    }

    /** Compresses a PLY cloud or an OFF mesh (sampled first; {@link Compressed#source()} is the sampled cloud). */
    public Compressed compress(Path file) {
        return compress(read(file));
    }

    /** The cloud this compressor codes for {@code file}: a PLY file's points, an OFF mesh's sampled points. */
    public PointCloud read(Path file) {
        try {
            return PointCloudFiles.read(file, meshPoints, seed);
        } catch (IOException e) {
            throw new TinifyException(e.getMessage(), e);
        }
    }

    /** Decompresses {@code .tfy} bytes written by this model, in the input cloud's coordinates. */
    public PointCloud decompress(byte[] tfy) {
        return codec.decompress(pointCloud(TfyReader.parseAny(tfy)));
    }

    /** Decompresses a {@code .tfy} file written by this model. */
    public PointCloud decompress(Path tfyFile) {
        try {
            return codec.decompress(pointCloud(TfyReader.readAny(tfyFile)));
        } catch (IOException e) {
            throw new TinifyException(tfyFile + ": " + e.getMessage(), e);
        } catch (TinifyFormatException e) {
            throw e.getMessage().startsWith(tfyFile.toString()) ? e : new TinifyFormatException(tfyFile + ": " + e.getMessage());
        }
    }

    private static PointCloudContainer pointCloud(dev.tinify.runtime.container.TfyFile f) {
        if (f instanceof PointCloudContainer c) {
            return c;
        }
        throw new TinifyFormatException("this .tfy file holds an image coded by " + f.architecture() + ", not a point cloud");
    }

    /** E.g. {@code sfu2023-pcc-rec-pointnet q0 mse {num_points=1024}}. */
    public String describe() {
        return codec.codec().describe();
    }

    /** Where the weights came from, or null for untrained weights. */
    public @Nullable String weights() {
        return codec.codec().weights();
    }

    @Override
    public void close() {
        codec.close();
    }

    /** The configuration of a model to open; every setting has a default. */
    public static final class Builder extends ModelSettings<Builder> {
        private int meshPoints;
        private long seed;

        private Builder(Spec spec) {
            super(spec);
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * Points sampled on an OFF mesh (default: the model's {@code num_points} when its spec has
         * one, else {@value PointCloudCodec#DEFAULT_MESH_POINTS}).
         */
        public Builder meshPoints(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("mesh points must be positive, got " + n);
            }
            meshPoints = n;
            return this;
        }

        /** The seed of the sampling of OFF meshes (default 0). */
        public Builder seed(long s) {
            seed = s;
            return this;
        }

        /**
         * Builds the model and loads its weights.
         *
         * @throws UntrainedWeightsException if there are no trained weights and {@link #allowUntrained()} was not called
         */
        public PointCloudCompressor open() {
            PointCloudCodec codec = PointCloudCodec.open(spec, quality, metric, params, weights);
            try {
                if (!allowUntrained) {
                    codec.codec().refuseUntrained("give weights(file), or allowUntrained() for a model whose clouds are not useful");
                }
                codec.codec().useCoder(coder);
                return new PointCloudCompressor(codec, meshPoints > 0 ? meshPoints : codec.defaultMeshPoints(), seed);
            } catch (RuntimeException e) {
                codec.close();
                throw e;
            }
        }
    }
}
