package dev.tinify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.dsl.Metric;
import dev.tinify.dsl.Spec;
import dev.tinify.runtime.coding.CorruptStreamException;
import dev.tinify.runtime.container.LatentSegment;
import dev.tinify.runtime.container.PointCloudContainer;
import dev.tinify.runtime.container.TinifyFormatException;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.model.MemoryBudget;
import dev.tinify.runtime.pointcloud.Neighbourhoods;
import dev.tinify.runtime.pointcloud.Normalization;
import dev.tinify.runtime.pointcloud.PointCloud;
import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Point-cloud compression with a model of a spec with {@code input: points}, the layer under
 * {@link PointCloudCompressor}: a {@link PointCloud} in, a {@link PointCloudContainer} out, and
 * back. The cloud is centred and scaled into the model's input range ({@link Normalization#fit},
 * as CompressAI prepares ModelNet); a cloud with more points than the model's {@code num_points}
 * parameter (when its spec has one) is reduced to that many by farthest point sampling. The
 * container records the model as for images (architecture, spec hash, weights fingerprint,
 * quality, metric, coder), the input's point count and the normalization, which the decoder
 * undoes. A {@link Codec} holds the model, its weights and coder.
 */
public final class PointCloudCodec implements AutoCloseable {
    /** The spec parameter that fixes how many points a model's encoder takes, when it has one. */
    public static final String NUM_POINTS = "num_points";
    /** Points sampled on an OFF mesh when the model does not say how many it takes. */
    public static final int DEFAULT_MESH_POINTS = 2048;
    /** Latent shapes may hold a few values per input point, and never fewer than this many values in all. */
    private static final int MIN_SHAPE_POINTS = 4096;

    private final Codec codec;

    private PointCloudCodec(Codec codec) {
        this.codec = codec;
    }

    /** Opens a point-cloud model as {@link Codec#open(Spec, int, Metric, Map, Path)} opens any. */
    public static PointCloudCodec open(Spec spec, int quality, Metric metric, Map<String, ?> overrides, @Nullable Path weights) {
        return of(Codec.open(spec, quality, metric, overrides, weights));
    }

    /** Rebuilds the model that wrote {@code container}, as {@link Codec#forContainer} does for images. */
    public static PointCloudCodec forContainer(PointCloudContainer container, @Nullable String specOrName, Map<String, ?> overrides,
            @Nullable Path weights) {
        return of(Codec.forContainer(container, specOrName, overrides, weights));
    }

    /** Wraps a codec whose model codes point clouds; closes it and refuses an image model. */
    static PointCloudCodec of(Codec codec) {
        if (!codec.model().pointCloud()) {
            String name = codec.model().name();
            codec.close();
            throw new TinifyException(name + " codes images, not point clouds (its spec has no 'input: points')");
        }
        return new PointCloudCodec(codec);
    }

    /** The codec holding the model, its weights and its entropy coder. */
    public Codec codec() {
        return codec;
    }

    /** How many points the encoder takes from a cloud of {@code available}: the spec's {@code num_points} if smaller, else all. */
    public int inputPoints(int available) {
        Number n = codec.model().params().get(NUM_POINTS);
        return n == null ? available : Math.min(available, n.intValue());
    }

    /** Points to sample on a mesh by default: the spec's {@code num_points}, else {@value #DEFAULT_MESH_POINTS}. */
    public int defaultMeshPoints() {
        Number n = codec.model().params().get(NUM_POINTS);
        return n == null ? DEFAULT_MESH_POINTS : n.intValue();
    }

    /** Codes {@code cloud} and returns the container. */
    public synchronized PointCloudContainer compress(PointCloud cloud) {
        CompressionModel model = codec.model();
        if (cloud.size() == 0) {
            throw new TinifyException(model.name() + ": cannot compress an empty point cloud");
        }
        if (cloud.size() > PointCloudContainer.MAX_POINTS) {
            throw new TinifyException(model.name() + ": " + cloud.size() + " points is more than the " + PointCloudContainer.MAX_POINTS
                    + " a .tfy point cloud holds");
        }
        Normalization normalization;
        try {
            normalization = Normalization.fit(cloud);
        } catch (IllegalArgumentException e) {
            throw new TinifyException(model.name() + ": cannot code this cloud: " + e.getMessage());
        }
        int n = inputPoints(cloud.size());
        float[] xyz = cloud.xyz();
        if (n < cloud.size()) {
            xyz = pick(xyz, Neighbourhoods.farthestPointSample(xyz, cloud.size(), n));
        }
        MemoryBudget.checkPoints(model, n);
        // Taken before coding, as the decoder takes it before decoding.
        String weightsFingerprint = model.weightsFingerprint();
        LatentSegment segment;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(normalization.apply(xyz), new Shape(1, n, 3));
            CompressionModel.Compressed out = model.compress(x);
            segment = new LatentSegment(out.shape(), out.strings());
        } catch (IllegalArgumentException | ai.djl.engine.EngineException e) {
            throw new TinifyException(model.name() + ": cannot compress a cloud of " + n + " points: " + e.getMessage(), e);
        }
        return new PointCloudContainer(model.name(), codec.specHash(), weightsFingerprint, codec.quality(), codec.metric().id(),
                codec.coderName(), Codec.ENTROPY_PARAMS, cloud.size(), normalization, segment);
    }

    private static float[] pick(float[] xyz, int[] index) {
        float[] out = new float[3 * index.length];
        for (int i = 0; i < index.length; i++) {
            System.arraycopy(xyz, 3 * index[i], out, 3 * i, 3);
        }
        return out;
    }

    /**
     * Decodes a container written by this model into the cloud in the input's coordinates. Other
     * weights than the encoder's are refused before anything is decoded, as for images.
     *
     * @throws TinifyFormatException if the container was encoded with other weights, or its strings
     *     or shape cannot be decoded
     */
    public synchronized PointCloud decompress(PointCloudContainer c) {
        CompressionModel model = codec.model();
        codec.checkWeights(c, c.weightsFingerprint());
        LatentSegment s = c.segment();
        int points = inputPoints(c.pointCount());
        Codec.checkShapeFits(s.shape(), Math.max(points, MIN_SHAPE_POINTS), "point cloud");
        MemoryBudget.checkPoints(model, points);
        float[] xyz;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray xHat = model.decompress(m, s.strings(), s.shape());
            Shape shape = xHat.getShape();
            if (shape.dimension() != 3 || shape.get(0) != 1 || shape.get(2) != 3) {
                throw new TinifyFormatException("the latent shape " + s.shape() + " decodes to " + shape + ", not one cloud [1, P, 3]");
            }
            xyz = xHat.toFloatArray();
        } catch (CorruptStreamException e) {
            throw new TinifyFormatException("corrupt bitstream: " + e.getMessage());
        } catch (IllegalArgumentException | IllegalStateException | ai.djl.engine.EngineException e) {
            throw new TinifyFormatException("cannot decode the latent with " + codec.describe() + ": " + e.getMessage());
        }
        float[] decoded = c.normalization().undo(xyz);
        for (float v : decoded) {
            if (!Float.isFinite(v)) {
                throw new TinifyFormatException("the decoded points are not finite once the file's " + c.normalization()
                        + " is undone");
            }
        }
        return PointCloud.of(decoded);
    }

    @Override
    public synchronized void close() {
        codec.close();
    }

    @Override
    public String toString() {
        return "PointCloudCodec(" + codec + ")";
    }
}
