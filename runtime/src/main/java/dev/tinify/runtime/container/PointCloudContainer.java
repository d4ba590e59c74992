package dev.tinify.runtime.container;

import dev.tinify.runtime.pointcloud.Normalization;
import dev.tinify.runtime.pointcloud.PointCloud;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A compressed point cloud, as a {@code .tfy} file of kind {@link TfyKind#POINT_CLOUD} holds it:
 * the model that coded it (as for images), how many points the input had (the rate is counted per
 * input point), the {@link Normalization} that fitted the cloud to the model's input range (the
 * decoder undoes it), and the coded latent. {@link TfyWriter} documents the layout.
 *
 * @param architecture architecture name, as the spec names it
 * @param specHash lowercase hex digest of the spec (2..128 digits)
 * @param weightsFingerprint lowercase hex fingerprint of the weights that encoded the cloud
 * @param quality quality index (0..65535)
 * @param metric the metric the model was trained for
 * @param entropyCoder the entropy coder's name, e.g. {@code ans}
 * @param entropyParams how the entropy parameters were computed, e.g. {@code libtorch}
 * @param pointCount points of the input cloud (1..{@link #MAX_POINTS})
 * @param normalization centre and scale applied before the encoder
 * @param segment the latent codec's shape value and strings
 */
public record PointCloudContainer(
        String architecture,
        String specHash,
        String weightsFingerprint,
        int quality,
        String metric,
        String entropyCoder,
        String entropyParams,
        int pointCount,
        Normalization normalization,
        LatentSegment segment) implements TfyFile {

    /** The format version point clouds are written in (the first with a content kind; no fractional quality). */
    public static final int FORMAT_VERSION = TfyContainer.FORMAT_VERSION_TILED;

    /** Most points the coded cloud's input may have ({@link PointCloud#MAX_POINTS}). */
    public static final int MAX_POINTS = PointCloud.MAX_POINTS;

    /** Validates every field as {@link TfyReader} would. */
    public PointCloudContainer {
        TfyContainer.checkText("architecture", architecture);
        TfyContainer.specHashBytes(specHash);
        TfyContainer.fingerprintBytes(Objects.requireNonNull(weightsFingerprint, "weightsFingerprint"));
        if (quality < 0 || quality > TfyContainer.MAX_QUALITY) {
            throw new IllegalArgumentException("quality " + quality + " is outside 0.." + TfyContainer.MAX_QUALITY);
        }
        TfyContainer.checkText("metric", metric);
        TfyContainer.checkText("entropyCoder", entropyCoder);
        TfyContainer.checkText("entropyParams", entropyParams);
        if (pointCount < 1 || pointCount > MAX_POINTS) {
            throw new IllegalArgumentException("point count " + pointCount + " is outside 1.." + MAX_POINTS);
        }
        Objects.requireNonNull(normalization, "normalization");
        Objects.requireNonNull(segment, "segment");
    }

    @Override
    public TfyKind kind() {
        return TfyKind.POINT_CLOUD;
    }

    @Override
    public long stringBytes() {
        return segment.stringBytes();
    }

    /** Bits of the strings per input point, the rate point-cloud papers report. */
    public double bitsPerPoint() {
        return 8.0 * stringBytes() / pointCount;
    }

    @Override
    public byte[] toBytes() {
        return TfyWriter.toBytes(this);
    }

    /** Writes the file atomically. */
    public void write(Path file) throws IOException {
        AtomicFiles.write(file, toBytes());
    }

    @Override
    public String toString() {
        return "PointCloudContainer[v" + FORMAT_VERSION + " " + architecture + "@" + specHash + " weights "
                + weightsFingerprint + " q" + quality + " " + metric + ", " + entropyCoder + "/" + entropyParams + ", "
                + pointCount + " points, " + normalization + ", " + segment + "]";
    }
}
