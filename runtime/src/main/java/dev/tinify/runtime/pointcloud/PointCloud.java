package dev.tinify.runtime.pointcloud;

import org.jspecify.annotations.Nullable;

/**
 * One point cloud: positions {@code xyz} (x0, y0, z0, x1, ...), and optionally per-point colours
 * (red, green, blue in [0, 1]) and normals, laid out the same way.
 */
public record PointCloud(float[] xyz, float @Nullable [] colors, float @Nullable [] normals) {
    /** Most points a cloud read from a file or coded may have (2^26, as the pixels of an image). */
    public static final int MAX_POINTS = 1 << 26;

    public PointCloud {
        if (xyz.length % 3 != 0) {
            throw new IllegalArgumentException("positions must be xyz triples, got " + xyz.length + " values");
        }
        if (colors != null && colors.length != xyz.length) {
            throw new IllegalArgumentException("colours for " + colors.length / 3 + " points, positions for " + xyz.length / 3);
        }
        if (normals != null && normals.length != xyz.length) {
            throw new IllegalArgumentException("normals for " + normals.length / 3 + " points, positions for " + xyz.length / 3);
        }
    }

    /** Positions only. */
    public static PointCloud of(float[] xyz) {
        return new PointCloud(xyz, null, null);
    }

    /** The number of points. */
    public int size() {
        return xyz.length / 3;
    }
}
