package dev.tinify.runtime.pointcloud;

import dev.tinify.runtime.model.MemoryBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Reads OFF meshes (as ModelNet ships its shapes) and samples points on their surface, as the
 * point-cloud papers prepare their inputs: each point falls on a triangle chosen with probability
 * proportional to its area, uniformly inside it. Polygons are split into triangle fans.
 *
 * <p>Also accepted: ModelNet's variant whose counts follow {@code OFF} on the first line
 * ({@code OFF490 518 0}), {@code #} comments, blank lines, and extra values after a face's indices
 * (face colours). A malformed file is refused with one line naming the file and line.
 */
public final class OffFiles {
    private OffFiles() {}

    /** A triangle mesh: vertex positions (x0, y0, z0, ...) and triangles as vertex index triples. */
    public record Mesh(float[] vertices, int[] triangles) {}

    /** Reads an OFF mesh; errors name the file. */
    public static Mesh read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            return decode(bytes);
        } catch (PointCloudFormatException e) {
            throw new PointCloudFormatException(file + ": " + e.getMessage());
        }
    }

    /** Decodes OFF text. */
    public static Mesh decode(byte[] bytes) throws PointCloudFormatException {
        Cursor c = new Cursor(new TextLines(bytes, 0, 0));
        String[] first = c.next("the 'OFF' keyword");
        if (!first[0].startsWith("OFF")) {
            throw new PointCloudFormatException("line " + c.line() + ": expected 'OFF', found '" + TextLines.shorten(first[0]) + "'");
        }
        String[] counts;
        if (first[0].length() > 3 || first.length > 1) {
            // ModelNet writes "OFF490 518 0": the counts share the keyword's line.
            String rest = String.join(" ", first).substring(3).strip();
            counts = rest.split("\\s+");
        } else {
            counts = c.next("the counts 'VERTICES FACES EDGES'");
        }
        if (counts.length < 2) {
            throw new PointCloudFormatException("line " + c.line() + ": expected the counts 'VERTICES FACES EDGES'");
        }
        long nv = count(counts[0], c.line());
        long nf = count(counts[1], c.line());
        long lines = c.lines.dataLinesLeft(true);
        if (nv > lines || nf > lines || nv + nf > lines) {
            throw new PointCloudFormatException("the header declares " + nv + " vertices and " + nf + " faces, the file has only "
                    + lines + " lines of data left");
        }
        MemoryBudget.check("reading a mesh of " + nv + " vertices and " + nf + " faces", 12 * (nv + nf), "its vertices and triangles",
                "use a smaller mesh");
        // Grown as vertices are read, so that memory follows the data read, not the count declared.
        float[] v = new float[3 * (int) Math.min(nv, PlyFiles.FIRST_CAPACITY)];
        for (int i = 0; i < nv; i++) {
            if (3 * i == v.length) {
                v = Arrays.copyOf(v, (int) Math.min(3 * nv, 2L * v.length));
            }
            String[] t = c.next("vertex " + i + " of " + nv);
            if (t.length < 3) {
                throw new PointCloudFormatException("line " + c.line() + ": vertex " + i + " has " + t.length + " values, expected x y z");
            }
            for (int a = 0; a < 3; a++) {
                v[3 * i + a] = (float) number(t[a], c.line());
                if (!Float.isFinite(v[3 * i + a])) {
                    throw new PointCloudFormatException("line " + c.line() + ": vertex " + i + " has a non-finite coordinate");
                }
            }
        }
        int[] tri = new int[16];
        int nt = 0;
        for (int f = 0; f < nf; f++) {
            String[] t = c.next("face " + f + " of " + nf);
            long k = count(t[0], c.line());
            if (k < 3 || k > t.length - 1) {
                throw new PointCloudFormatException("line " + c.line() + ": face " + f + " needs a vertex count >= 3 followed by that many indices");
            }
            int[] idx = new int[(int) k];
            for (int j = 0; j < k; j++) {
                long x = count(t[1 + j], c.line());
                if (x >= nv) {
                    throw new PointCloudFormatException("line " + c.line() + ": face " + f + " uses vertex " + x + ", the file has " + nv);
                }
                idx[j] = (int) x;
            }
            for (int j = 1; j + 1 < k; j++) {
                if (nt + 3 > tri.length) {
                    tri = Arrays.copyOf(tri, tri.length * 2);
                }
                tri[nt++] = idx[0];
                tri[nt++] = idx[j];
                tri[nt++] = idx[j + 1];
            }
        }
        String[] extra = c.nextOrNull();
        if (extra != null) {
            throw new PointCloudFormatException("line " + c.line() + ": data after the " + nf + " faces the header declares");
        }
        return new Mesh(v, Arrays.copyOf(tri, nt));
    }

    /**
     * {@code n} points on the surface of {@code mesh}, triangles chosen by area, barycentric
     * coordinates uniform; the same {@code seed} gives the same points.
     */
    public static PointCloud sample(Mesh mesh, int n, long seed) {
        if (n < 1 || n > PointCloud.MAX_POINTS) {
            throw new IllegalArgumentException("a mesh is sampled to 1.." + PointCloud.MAX_POINTS + " points, got " + n);
        }
        int[] t = mesh.triangles();
        float[] v = mesh.vertices();
        int count = t.length / 3;
        double[] cumulative = new double[count];
        double total = 0;
        for (int i = 0; i < count; i++) {
            total += area(v, t[3 * i], t[3 * i + 1], t[3 * i + 2]);
            cumulative[i] = total;
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException("the mesh has no surface area to sample points from");
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] out = new float[3 * n];
        for (int p = 0; p < n; p++) {
            int i = Arrays.binarySearch(cumulative, rnd.nextDouble() * total);
            i = Math.min(i < 0 ? -i - 1 : i, count - 1);
            double r1 = Math.sqrt(rnd.nextDouble());
            double r2 = rnd.nextDouble();
            double wa = 1 - r1;
            double wb = r1 * (1 - r2);
            double wc = r1 * r2;
            for (int a = 0; a < 3; a++) {
                out[3 * p + a] = (float) (wa * v[3 * t[3 * i] + a] + wb * v[3 * t[3 * i + 1] + a] + wc * v[3 * t[3 * i + 2] + a]);
            }
        }
        return PointCloud.of(out);
    }

    private static double area(float[] v, int a, int b, int c) {
        double ux = v[3 * b] - v[3 * a];
        double uy = v[3 * b + 1] - v[3 * a + 1];
        double uz = v[3 * b + 2] - v[3 * a + 2];
        double wx = v[3 * c] - v[3 * a];
        double wy = v[3 * c + 1] - v[3 * a + 1];
        double wz = v[3 * c + 2] - v[3 * a + 2];
        double cx = uy * wz - uz * wy;
        double cy = uz * wx - ux * wz;
        double cz = ux * wy - uy * wx;
        return 0.5 * Math.sqrt(cx * cx + cy * cy + cz * cz);
    }

    private static long count(String s, int line) throws PointCloudFormatException {
        try {
            long v = Long.parseLong(s);
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new PointCloudFormatException("line " + line + ": expected a count or index >= 0, found '" + TextLines.shorten(s) + "'");
    }

    private static double number(String s, int line) throws PointCloudFormatException {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new PointCloudFormatException("line " + line + ": '" + TextLines.shorten(s) + "' is not a number");
        }
    }

    /** Non-blank, comment-free lines as tokens. */
    private static final class Cursor {
        final TextLines lines;

        Cursor(TextLines lines) {
            this.lines = lines;
        }

        /** The 1-based number of the last line read. */
        int line() {
            return lines.number();
        }

        String[] nextOrNull() {
            for (String s = lines.next(); s != null; s = lines.next()) {
                int hash = s.indexOf('#');
                s = (hash >= 0 ? s.substring(0, hash) : s).strip();
                if (!s.isEmpty()) {
                    return s.split("\\s+");
                }
            }
            return null;
        }

        String[] next(String expected) throws PointCloudFormatException {
            String[] t = nextOrNull();
            if (t == null) {
                throw new PointCloudFormatException("the file ends where " + expected + " was expected");
            }
            return t;
        }
    }
}
