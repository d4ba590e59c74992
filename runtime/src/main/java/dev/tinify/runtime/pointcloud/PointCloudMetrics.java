package dev.tinify.runtime.pointcloud;

import java.util.Arrays;

/**
 * The distortion measures point-cloud compression reports, between a reference cloud A and a
 * reconstruction B, each point matched with its nearest neighbour in the other cloud
 * ({@link Neighbourhoods#knn}):
 *
 * <ul>
 *   <li>{@link #chamfer}: mean squared distance A→B plus mean squared distance B→A, CompressAI's
 *       reconstruction loss ({@code dist1.mean() + dist2.mean()});
 *   <li>{@link #d1Psnr}: point-to-point PSNR as MPEG's {@code pc_error} defines it:
 *       {@code 10·log10(3·peak² / max(mse(A→B), mse(B→A)))};
 *   <li>{@link #d2Psnr}: point-to-plane PSNR, the same with each error vector projected on the
 *       unit normal of the reference point it is matched with (A's normals in both directions, as
 *       {@code pc_error}); A's normals are estimated from its 12 nearest neighbours when A has none.
 * </ul>
 *
 * Distances are in the clouds' units; {@code peak} is what {@code pc_error} takes as its
 * resolution (for voxelized clouds {@code 2^depth − 1}); {@link #defaultPeak} is the longest side
 * of A's bounding box.
 */
public final class PointCloudMetrics {
    /** Neighbours used to estimate a normal by principal component analysis. */
    private static final int NORMAL_NEIGHBOURS = 12;

    private PointCloudMetrics() {}

    /** Point-to-point and point-to-plane errors of one comparison. */
    public record Errors(double chamfer, double d1Mse, double d2Mse, double d1Psnr, double d2Psnr) {}

    /** All measures at once (one neighbour search each way). */
    public static Errors compare(PointCloud a, PointCloud b, double peak) {
        if (a.size() == 0 || b.size() == 0) {
            throw new IllegalArgumentException("cannot compare an empty point cloud");
        }
        float[] normals = a.normals() != null ? a.normals() : estimateNormals(a.xyz(), a.size());
        int[] ab = Neighbourhoods.knn(b.xyz(), b.size(), a.xyz(), a.size(), 1);
        int[] ba = Neighbourhoods.knn(a.xyz(), a.size(), b.xyz(), b.size(), 1);
        double[] abErr = errors(a.xyz(), b.xyz(), ab, normals, true);
        double[] baErr = errors(b.xyz(), a.xyz(), ba, normals, false);
        double d1 = Math.max(abErr[0], baErr[0]);
        double d2 = Math.max(abErr[1], baErr[1]);
        return new Errors(abErr[0] + baErr[0], d1, d2, psnr(d1, peak), psnr(d2, peak));
    }

    /** CompressAI's Chamfer distance: mean nearest squared distance A→B plus B→A. */
    public static double chamfer(PointCloud a, PointCloud b) {
        return compare(a, b, 1).chamfer();
    }

    /** Point-to-point (D1) PSNR in dB. */
    public static double d1Psnr(PointCloud a, PointCloud b, double peak) {
        return compare(a, b, peak).d1Psnr();
    }

    /** Point-to-plane (D2) PSNR in dB. */
    public static double d2Psnr(PointCloud a, PointCloud b, double peak) {
        return compare(a, b, peak).d2Psnr();
    }

    /** The longest side of the cloud's bounding box (1 for a single point). */
    public static double defaultPeak(PointCloud a) {
        double peak = 0;
        for (int axis = 0; axis < 3; axis++) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < a.size(); i++) {
                lo = Math.min(lo, a.xyz()[3 * i + axis]);
                hi = Math.max(hi, a.xyz()[3 * i + axis]);
            }
            peak = Math.max(peak, hi - lo);
        }
        return peak > 0 ? peak : 1;
    }

    /** 10·log10(3·peak² / mse); infinite for a perfect match. */
    static double psnr(double mse, double peak) {
        return 10 * Math.log10(3 * peak * peak / mse);
    }

    /**
     * Mean squared point-to-point and point-to-plane errors from each point of {@code from} to its
     * match in {@code to}; {@code normals} belong to {@code from} when {@code normalsOfFrom}, else
     * to {@code to}.
     */
    private static double[] errors(float[] from, float[] to, int[] match, float[] normals, boolean normalsOfFrom) {
        double p2p = 0;
        double p2l = 0;
        int n = match.length;
        for (int i = 0; i < n; i++) {
            int j = match[i];
            double dx = (double) to[3 * j] - from[3 * i];
            double dy = (double) to[3 * j + 1] - from[3 * i + 1];
            double dz = (double) to[3 * j + 2] - from[3 * i + 2];
            int k = normalsOfFrom ? i : j;
            double proj = dx * normals[3 * k] + dy * normals[3 * k + 1] + dz * normals[3 * k + 2];
            p2p += dx * dx + dy * dy + dz * dz;
            p2l += proj * proj;
        }
        return new double[] {p2p / n, p2l / n};
    }

    /**
     * Unit normals by principal component analysis: for each point, the direction of least
     * variance of its nearest neighbours (itself included).
     */
    public static float[] estimateNormals(float[] xyz, int n) {
        int k = Math.min(NORMAL_NEIGHBOURS, n);
        int[] nn = Neighbourhoods.knn(xyz, n, xyz, n, k);
        float[] out = new float[3 * n];
        double[] cov = new double[9];
        for (int i = 0; i < n; i++) {
            double mx = 0;
            double my = 0;
            double mz = 0;
            for (int j = 0; j < k; j++) {
                int p = nn[i * k + j];
                mx += xyz[3 * p];
                my += xyz[3 * p + 1];
                mz += xyz[3 * p + 2];
            }
            mx /= k;
            my /= k;
            mz /= k;
            Arrays.fill(cov, 0);
            for (int j = 0; j < k; j++) {
                int p = nn[i * k + j];
                double[] d = {xyz[3 * p] - mx, xyz[3 * p + 1] - my, xyz[3 * p + 2] - mz};
                for (int r = 0; r < 3; r++) {
                    for (int c = 0; c < 3; c++) {
                        cov[3 * r + c] += d[r] * d[c];
                    }
                }
            }
            double[] v = smallestEigenvector(cov);
            out[3 * i] = (float) v[0];
            out[3 * i + 1] = (float) v[1];
            out[3 * i + 2] = (float) v[2];
        }
        return out;
    }

    /** The unit eigenvector of the smallest eigenvalue of a symmetric 3×3 matrix (cyclic Jacobi rotations). */
    static double[] smallestEigenvector(double[] m) {
        double[][] a = {{m[0], m[1], m[2]}, {m[3], m[4], m[5]}, {m[6], m[7], m[8]}};
        double[][] v = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        for (int sweep = 0; sweep < 50; sweep++) {
            double off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
            if (off < 1e-30) {
                break;
            }
            for (int p = 0; p < 2; p++) {
                for (int q = p + 1; q < 3; q++) {
                    if (a[p][q] == 0) {
                        continue;
                    }
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t = Math.signum(theta == 0 ? 1 : theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int r = 0; r < 3; r++) {
                        double arp = a[r][p];
                        double arq = a[r][q];
                        a[r][p] = c * arp - s * arq;
                        a[r][q] = s * arp + c * arq;
                    }
                    for (int r = 0; r < 3; r++) {
                        double apr = a[p][r];
                        double aqr = a[q][r];
                        a[p][r] = c * apr - s * aqr;
                        a[q][r] = s * apr + c * aqr;
                    }
                    for (int r = 0; r < 3; r++) {
                        double vrp = v[r][p];
                        double vrq = v[r][q];
                        v[r][p] = c * vrp - s * vrq;
                        v[r][q] = s * vrp + c * vrq;
                    }
                }
            }
        }
        int min = 0;
        for (int i = 1; i < 3; i++) {
            if (a[i][i] < a[min][min]) {
                min = i;
            }
        }
        return new double[] {v[0][min], v[1][min], v[2][min]};
    }
}
