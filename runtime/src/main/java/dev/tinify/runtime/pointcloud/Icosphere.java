package dev.tinify.runtime.pointcloud;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * Unit directions spread evenly over the sphere: the vertices of an icosahedron, each subdivision
 * level splitting every triangle into four and pushing the new vertices out to the sphere (Xiao et
 * al. 2009, as CompressAI's {@code icosahedron2sphere}). Computed in double precision with the
 * vertices kept as lexicographically sorted unique rows after every level, as NumPy's
 * {@code unique(axis=0)} keeps them, so that the float32 table equals the reference's.
 */
public final class Icosphere {
    private Icosphere() {}

    /**
     * The direction table of the density-preserving up-sampling (He et al. 2022): the zero vector,
     * then the vertices of the icosahedron subdivided {@code level} times (42 for level 1), as
     * float32 rows {@code x, y, z}.
     */
    public static float[] hypothesis(int level) {
        double[][] v = vertices(level);
        float[] out = new float[3 * (v.length + 1)];
        for (int i = 0; i < v.length; i++) {
            for (int a = 0; a < 3; a++) {
                out[3 * (i + 1) + a] = (float) v[i][a];
            }
        }
        return out;
    }

    /** The unit vertices after {@code level} subdivisions, lexicographically sorted. */
    static double[][] vertices(int level) {
        if (level < 0 || level > 6) {
            throw new IllegalArgumentException("subdivision level " + level + ", expected 0 to 6");
        }
        double a = 2 / (1 + Math.sqrt(5));
        // The 20 faces of the icosahedron, three corners each (CompressAI's table).
        double[] m = {
            0, a, -1, a, 1, 0, -a, 1, 0, 0, a, 1, -a, 1, 0, a, 1, 0, 0, a, 1, 0, -a, 1, -1, 0, a,
            0, a, 1, 1, 0, a, 0, -a, 1, 0, a, -1, 0, -a, -1, 1, 0, -a, 0, a, -1, -1, 0, -a, 0, -a, -1,
            0, -a, 1, a, -1, 0, -a, -1, 0, 0, -a, -1, -a, -1, 0, a, -1, 0, -a, 1, 0, -1, 0, a, -1, 0, -a,
            -a, -1, 0, -1, 0, -a, -1, 0, a, a, 1, 0, 1, 0, -a, 1, 0, a, a, -1, 0, 1, 0, a, 1, 0, -a,
            0, a, 1, -1, 0, a, -a, 1, 0, 0, a, 1, a, 1, 0, 1, 0, a, 0, a, -1, -a, 1, 0, -1, 0, -a,
            0, a, -1, 1, 0, -a, a, 1, 0, 0, -a, -1, -1, 0, -a, -a, -1, 0, 0, -a, -1, a, -1, 0, 1, 0, -a,
            0, -a, 1, -a, -1, 0, -1, 0, a, 0, -a, 1, 1, 0, a, a, -1, 0,
        };
        List<double[]> corners = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            corners.add(new double[] {m[3 * i], m[3 * i + 1], m[3 * i + 2]});
        }
        int[][] tri = new int[20][3];
        double[][] coor = unique(corners, tri);
        normalize(coor);
        for (int l = 0; l < level; l++) {
            List<double[]> points = new ArrayList<>(Arrays.asList(coor));
            int[][] next = new int[4 * tri.length][];
            for (int t = 0; t < tri.length; t++) {
                int n = points.size();
                points.add(mid(coor[tri[t][0]], coor[tri[t][1]]));
                points.add(mid(coor[tri[t][1]], coor[tri[t][2]]));
                points.add(mid(coor[tri[t][2]], coor[tri[t][0]]));
                next[4 * t] = new int[] {n, tri[t][0], n + 2};
                next[4 * t + 1] = new int[] {n, tri[t][1], n + 1};
                next[4 * t + 2] = new int[] {n + 1, tri[t][2], n + 2};
                next[4 * t + 3] = new int[] {n, n + 1, n + 2};
            }
            int[] remap = new int[points.size()];
            coor = uniqueRows(points, remap);
            for (int[] t : next) {
                for (int c = 0; c < 3; c++) {
                    t[c] = remap[t[c]];
                }
            }
            tri = next;
            normalize(coor);
        }
        return coor;
    }

    /** The unique rows of {@code corners} (sorted), with {@code tri} filled with each corner's row: corner i is tri[i/3][i%3]. */
    private static double[][] unique(List<double[]> corners, int[][] tri) {
        int[] remap = new int[corners.size()];
        double[][] rows = uniqueRows(corners, remap);
        for (int i = 0; i < remap.length; i++) {
            tri[i / 3][i % 3] = remap[i];
        }
        return rows;
    }

    /** Sorted unique rows; {@code remap[i]} is the position of input row i among them. */
    private static double[][] uniqueRows(List<double[]> rows, int[] remap) {
        Comparator<double[]> lexicographic = (p, q) -> {
            for (int a = 0; a < 3; a++) {
                // NumPy's sort order: -0.0 equals 0.0.
                if (p[a] != q[a]) {
                    return p[a] < q[a] ? -1 : 1;
                }
            }
            return 0;
        };
        TreeMap<double[], Integer> sorted = new TreeMap<>(lexicographic);
        for (double[] r : rows) {
            sorted.putIfAbsent(r, 0);
        }
        double[][] out = sorted.keySet().toArray(new double[0][]);
        int i = 0;
        for (double[] key : out) {
            sorted.put(key, i++);
        }
        for (int r = 0; r < rows.size(); r++) {
            remap[r] = sorted.get(rows.get(r));
        }
        return out;
    }

    private static double[] mid(double[] p, double[] q) {
        return new double[] {(p[0] + q[0]) / 2, (p[1] + q[1]) / 2, (p[2] + q[2]) / 2};
    }

    /** Each row divided by its Euclidean norm, summed x, y, then z as NumPy's norm over three values. */
    private static void normalize(double[][] rows) {
        for (double[] r : rows) {
            double norm = Math.sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
            for (int a = 0; a < 3; a++) {
                r[a] = r[a] / norm;
            }
        }
    }
}
