package dev.tinify.runtime.pointcloud;

import dev.tinify.runtime.container.FileSniffer;
import dev.tinify.runtime.container.InputFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A point cloud from a file, whichever of the two formats it is in: a PLY cloud as it is, an OFF
 * mesh sampled to points on its surface ({@link OffFiles#sample}, seeded), as the point-cloud
 * papers prepare ModelNet. The format is told by the first bytes, not the name.
 */
public final class PointCloudFiles {
    /** Largest file read (a binary PLY of 2^26 points with normals and colours is under 2 GB; this is 1 GB). */
    public static final long MAX_FILE_BYTES = 1L << 30;

    private PointCloudFiles() {}

    /** Whether the name says PLY or OFF ({@code .ply}, {@code .off}, any case). */
    public static boolean hasCloudName(Path file) {
        Path name = file.getFileName();
        String s = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
        return s.endsWith(".ply") || s.endsWith(".off");
    }

    /**
     * The cloud in {@code file}: a PLY file's points, or {@code meshPoints} points sampled on an OFF
     * mesh with {@code seed}. Errors name the file, and for a malformed file the line.
     *
     * @throws PointCloudFormatException if the file is neither, is malformed, or holds no point
     */
    public static PointCloud read(Path file, int meshPoints, long seed) throws IOException {
        byte[] bytes = InputFiles.read(file, MAX_FILE_BYTES, "a PLY point cloud or an OFF mesh");
        try {
            return decode(bytes, meshPoints, seed);
        } catch (PointCloudFormatException e) {
            throw new PointCloudFormatException(file + ": " + e.getMessage());
        }
    }

    /** As {@link #read}, from the file's bytes. */
    public static PointCloud decode(byte[] bytes, int meshPoints, long seed) throws PointCloudFormatException {
        PointCloud cloud;
        if (startsWith(bytes, "ply")) {
            cloud = PlyFiles.decode(bytes);
        } else if (startsWith(bytes, "OFF")) {
            if (meshPoints < 1) {
                throw new IllegalArgumentException("an OFF mesh is sampled to a positive number of points, got " + meshPoints);
            }
            OffFiles.Mesh mesh = OffFiles.decode(bytes);
            try {
                cloud = OffFiles.sample(mesh, meshPoints, seed);
            } catch (IllegalArgumentException e) {
                throw new PointCloudFormatException(e.getMessage());
            }
        } else {
            throw new PointCloudFormatException("neither a PLY point cloud nor an OFF mesh: " + FileSniffer.describe(bytes));
        }
        if (cloud.size() == 0) {
            throw new PointCloudFormatException("the file holds no points");
        }
        return cloud;
    }

    private static boolean startsWith(byte[] b, String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
        if (b.length < p.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (b[i] != p[i]) {
                return false;
            }
        }
        return true;
    }
}
