package dev.tinify.runtime.pointcloud;

import dev.tinify.runtime.container.FileSniffer;
import dev.tinify.runtime.container.InputFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A point cloud from a file, whichever of the two formats it is in: a PLY cloud as it is, an OFF
 * mesh sampled to points on its surface ({@link OffFiles#sample}, seeded), as the point-cloud
 * papers prepare ModelNet, and an OFF file without faces as the point set of its vertices. The
 * format is told by the first bytes, not the name.
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
        if (meshPoints < 1) {
            throw new IllegalArgumentException("an OFF mesh is sampled to a positive number of points, got " + meshPoints);
        }
        return source(file).cloud(meshPoints, seed);
    }

    /** As {@link #read}, from the file's bytes. */
    public static PointCloud decode(byte[] bytes, int meshPoints, long seed) throws PointCloudFormatException {
        if (meshPoints < 1) {
            throw new IllegalArgumentException("an OFF mesh is sampled to a positive number of points, got " + meshPoints);
        }
        return source(bytes).cloud(meshPoints, seed);
    }

    /** What a file holds, to draw clouds of a given size from again and again (training). */
    public sealed interface Source permits Cloud, Mesh {
        /**
         * {@code n} points drawn with {@code seed}: on a mesh's surface, or a cloud's points
         * (without repeats when it has {@code n}, else with).
         */
        PointCloud sample(int n, long seed);

        /** The cloud a codec codes: a PLY file's points as they are, a mesh sampled to {@code meshPoints}. */
        PointCloud cloud(int meshPoints, long seed);
    }

    /** A PLY file's points. */
    public record Cloud(PointCloud cloud) implements Source {
        @Override
        public PointCloud cloud(int meshPoints, long seed) {
            return cloud;
        }

        @Override
        public PointCloud sample(int n, long seed) {
            int size = cloud.size();
            SplittableRandom rnd = new SplittableRandom(seed);
            float[] out = new float[3 * n];
            int[] index = size >= n ? new int[size] : null;
            if (index != null) {
                for (int i = 0; i < size; i++) {
                    index[i] = i;
                }
            }
            for (int i = 0; i < n; i++) {
                int pick;
                if (index != null) {
                    // A partial Fisher-Yates shuffle: the first n of a random permutation.
                    int j = i + rnd.nextInt(size - i);
                    pick = index[j];
                    index[j] = index[i];
                    index[i] = pick;
                } else {
                    pick = rnd.nextInt(size);
                }
                System.arraycopy(cloud.xyz(), 3 * pick, out, 3 * i, 3);
            }
            return PointCloud.of(out);
        }
    }

    /** An OFF mesh, sampled on its surface ({@link OffFiles#sample}); it has a positive area. */
    public record Mesh(OffFiles.Mesh mesh) implements Source {
        @Override
        public PointCloud cloud(int meshPoints, long seed) {
            return sample(meshPoints, seed);
        }

        @Override
        public PointCloud sample(int n, long seed) {
            return OffFiles.sample(mesh, n, seed);
        }
    }

    /** Reads a file's {@link Source}; errors name the file. */
    public static Source source(Path file) throws IOException {
        byte[] bytes = InputFiles.read(file, MAX_FILE_BYTES, "a PLY point cloud or an OFF mesh");
        try {
            return source(bytes);
        } catch (PointCloudFormatException e) {
            throw new PointCloudFormatException(file + ": " + e.getMessage());
        }
    }

    /** A PLY cloud with at least one point, an OFF file's vertices when it has no faces, or an OFF mesh with a surface to sample. */
    public static Source source(byte[] bytes) throws PointCloudFormatException {
        if (startsWith(bytes, "ply")) {
            PointCloud cloud = PlyFiles.decode(bytes);
            if (cloud.size() == 0) {
                throw new PointCloudFormatException("the file holds no points");
            }
            return new Cloud(cloud);
        }
        if (startsWithOff(bytes)) {
            OffFiles.Mesh mesh = OffFiles.decode(bytes);
            if (mesh.triangles().length == 0 && mesh.vertices().length > 0) {
                // An OFF file without faces is a point set (CGAL ships its example clouds so): its vertices are the cloud.
                return new Cloud(PointCloud.of(mesh.vertices()));
            }
            try {
                // Sampling one point checks that the mesh has an area to sample from.
                OffFiles.sample(mesh, 1, 0);
            } catch (IllegalArgumentException e) {
                throw new PointCloudFormatException(e.getMessage());
            }
            return new Mesh(mesh);
        }
        throw new PointCloudFormatException("neither a PLY point cloud nor an OFF mesh: " + FileSniffer.describe(bytes));
    }

    /** Whether the first line that is neither blank nor a {@code #} comment starts with {@code OFF}. */
    private static boolean startsWithOff(byte[] b) {
        int i = 0;
        while (i < b.length) {
            while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')) {
                i++;
            }
            if (i < b.length && b[i] == '#') {
                while (i < b.length && b[i] != '\n') {
                    i++;
                }
                continue;
            }
            return i + 3 <= b.length && b[i] == 'O' && b[i + 1] == 'F' && b[i + 2] == 'F';
        }
        return false;
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
