package dev.tinify.runtime.pointcloud;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Sampling and neighbour indices against the fixtures' {@code <phase>.fps|knn|ball_query.<i>.idx}
 * (the calls whose inputs are stored tensors), and the grid-pruned searches against exhaustive
 * ones on clouds with exact ties.
 */
class NeighbourhoodsTest {

    @Test
    void pointnet2SetAbstractionCallsEqualTheFixture() throws IOException {
        ReferenceCase c = ReferenceCase.fixture("sfu2024-pcc-rec-pointnet2-ssg");
        float[] x = c.tensor("x").toFloats();
        int[] fps0 = Neighbourhoods.farthestPointSample(x, 256, 64);
        assertArrayEquals(c.tensor("forward.fps.0.idx").toInts(), fps0);
        float[] l1 = gather(x, fps0);
        Neighbourhoods.BallQuery b0 = Neighbourhoods.ballQuery(x, 256, l1, 64, 0.3, 4);
        assertArrayEquals(c.tensor("forward.ball_query.0.idx").toInts(), b0.index());
        assertArrayEquals(c.tensor("forward.ball_query.0.count_inside").toInts(), b0.inside());
        int[] fps1 = Neighbourhoods.farthestPointSample(l1, 64, 16);
        assertArrayEquals(c.tensor("forward.fps.1.idx").toInts(), fps1);
        Neighbourhoods.BallQuery b1 = Neighbourhoods.ballQuery(l1, 64, gather(l1, fps1), 16, 0.6, 4);
        assertArrayEquals(c.tensor("forward.ball_query.1.idx").toInts(), b1.index());
        assertArrayEquals(c.tensor("forward.ball_query.1.count_inside").toInts(), b1.inside());
    }

    @Test
    void aTieToleranceDecidesNearTiesByTheLowerIndex() {
        // From the first pick at the origin, point 2 is farther than point 1 by two float32 steps of 1.
        float[] xyz = {0, 0, 0, -1, 0, 0, Math.nextUp(1f), 0, 0};
        assertArrayEquals(new int[] {0, 2}, Neighbourhoods.farthestPointSample(xyz, 3, 2));
        assertArrayEquals(new int[] {0, 1}, Neighbourhoods.farthestPointSample(xyz, 3, 2, 1e-6f));
        // Beyond the tolerance the farther point still wins.
        float[] apart = {0, 0, 0, -1, 0, 0, 1.001f, 0, 0};
        assertArrayEquals(new int[] {0, 2}, Neighbourhoods.farthestPointSample(apart, 3, 2, 1e-6f));
        assertThrows(IllegalArgumentException.class, () -> Neighbourhoods.farthestPointSample(xyz, 3, 2, -1f));
    }

    @Test
    void hrtzxfEncoderAndDecoderCallsEqualTheFixture() throws IOException {
        ReferenceCase c = ReferenceCase.fixture("hrtzxf2022-pcc-rec");
        // Encoder: each level samples a third of the points, then links every point to its nearest
        // sample (k = 1) and every sample to its 8 nearest points.
        String[] levels = {"forward.gt_xyz_.0", "forward.gt_xyz_.1", "forward.gt_xyz_.2", "forward.gt_latent_xyz"};
        for (int i = 0; i < 3; i++) {
            float[] xyz = pointsFirst(c.tensor(levels[i]).toFloats());
            int n = xyz.length / 3;
            int m = (int) Math.rint(n / 3.0);
            int[] fps = Neighbourhoods.farthestPointSample(xyz, n, m);
            assertArrayEquals(c.tensor("forward.fps." + i + ".idx").toInts(), fps, "fps " + i);
            float[] sampled = gather(xyz, fps);
            assertArrayEquals(pointsFirst(c.tensor(levels[i + 1]).toFloats()), sampled, "level " + (i + 1));
            assertArrayEquals(c.tensor("forward.knn." + (2 * i) + ".idx").toInts(),
                    Neighbourhoods.knn(sampled, m, xyz, n, 1), "knn " + 2 * i);
            assertArrayEquals(c.tensor("forward.knn." + (2 * i + 1) + ".idx").toInts(),
                    Neighbourhoods.knn(xyz, n, sampled, m, 8), "knn " + (2 * i + 1));
        }
        // Decoder: the same links between consecutive reconstructed levels.
        String[] decoded = {"forward.latent_xyz_hat", "forward.xyz_hat_.0", "forward.xyz_hat_.1", "forward.xyz_hat_.2"};
        for (int i = 0; i < 3; i++) {
            float[] coarse = pointsFirst(c.tensor(decoded[i]).toFloats());
            float[] fine = pointsFirst(c.tensor(decoded[i + 1]).toFloats());
            int m = coarse.length / 3;
            int n = fine.length / 3;
            assertArrayEquals(c.tensor("forward.knn." + (6 + 2 * i) + ".idx").toInts(),
                    Neighbourhoods.knn(coarse, m, fine, n, 1), "knn " + (6 + 2 * i));
            assertArrayEquals(c.tensor("forward.knn." + (7 + 2 * i) + ".idx").toInts(),
                    Neighbourhoods.knn(fine, n, coarse, m, 8), "knn " + (7 + 2 * i));
        }
    }

    @Test
    void prunedSearchesEqualExhaustiveOnesWithTies() {
        Random rnd = new Random(3);
        for (int trial = 0; trial < 20; trial++) {
            int n = 1 + rnd.nextInt(300);
            float[] xyz = new float[3 * n];
            for (int i = 0; i < xyz.length; i++) {
                // A coarse lattice makes many exact distance ties, duplicates included.
                xyz[i] = trial % 2 == 0 ? rnd.nextInt(5) * 0.25f : (float) rnd.nextGaussian();
            }
            int m = 1 + rnd.nextInt(n);
            assertArrayEquals(exhaustiveFps(xyz, n, m), Neighbourhoods.farthestPointSample(xyz, n, m), "fps trial " + trial);
            int k = 1 + rnd.nextInt(Math.min(n, 12));
            assertArrayEquals(exhaustiveKnn(xyz, n, xyz, n, k), Neighbourhoods.knn(xyz, n, xyz, n, k), "knn trial " + trial);
        }
    }

    @Test
    void ballQueryFillsWithTheFirstIndexAndKeepsTheSmallestIndices() {
        float[] pts = {0, 0, 0, 5, 5, 5, 0.1f, 0, 0, 0, 0.2f, 0, 0, 0, 0.3f};
        Neighbourhoods.BallQuery b = Neighbourhoods.ballQuery(pts, 5, new float[] {0, 0, 0, 5, 5, 5}, 2, 0.25, 3);
        assertArrayEquals(new int[] {0, 2, 3, 1, 1, 1}, b.index());
        assertArrayEquals(new int[] {3, 1}, b.inside());
    }

    @Test
    void badArgumentsAreRefused() {
        float[] pts = {0, 0, 0, 1, 1, 1};
        assertThrows(IllegalArgumentException.class, () -> Neighbourhoods.knn(pts, 2, pts, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> Neighbourhoods.farthestPointSample(pts, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> Neighbourhoods.ballQuery(pts, 2, new float[] {9, 9, 9}, 1, 0.5, 2));
        float[] nan = {Float.NaN, 0, 0};
        assertThrows(IllegalArgumentException.class, () -> Neighbourhoods.farthestPointSample(nan, 1, 1));
        assertEquals(0, Neighbourhoods.farthestPointSample(pts, 2, 0).length);
    }

    /** [1, 3, n] channels-first coordinates as x0, y0, z0, x1, ... */
    private static float[] pointsFirst(float[] channelsFirst) {
        int n = channelsFirst.length / 3;
        float[] out = new float[3 * n];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < 3; a++) {
                out[3 * i + a] = channelsFirst[a * n + i];
            }
        }
        return out;
    }

    private static float[] gather(float[] xyz, int[] idx) {
        float[] out = new float[3 * idx.length];
        for (int i = 0; i < idx.length; i++) {
            System.arraycopy(xyz, 3 * idx[i], out, 3 * i, 3);
        }
        return out;
    }

    private static float dist(float[] a, int i, float[] b, int j) {
        float dx = a[3 * i] - b[3 * j];
        float dy = a[3 * i + 1] - b[3 * j + 1];
        float dz = a[3 * i + 2] - b[3 * j + 2];
        return (dx * dx + dy * dy) + dz * dz;
    }

    private static int[] exhaustiveFps(float[] xyz, int n, int m) {
        float[] running = new float[n];
        Arrays.fill(running, 1e10f);
        int[] out = new int[m];
        int pick = 0;
        for (int i = 0; i < m; i++) {
            out[i] = pick;
            int next = 0;
            for (int p = 0; p < n; p++) {
                running[p] = Math.min(running[p], dist(xyz, p, xyz, pick));
                if (running[p] > running[next]) {
                    next = p;
                }
            }
            pick = next;
        }
        return out;
    }

    private static int[] exhaustiveKnn(float[] ref, int nRef, float[] query, int nQuery, int k) {
        int[] out = new int[nQuery * k];
        for (int q = 0; q < nQuery; q++) {
            final int qq = q;
            Integer[] order = new Integer[nRef];
            for (int i = 0; i < nRef; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> {
                int cmp = Float.compare(dist(ref, a, query, qq), dist(ref, b, query, qq));
                return cmp != 0 ? cmp : Integer.compare(a, b);
            });
            for (int j = 0; j < k; j++) {
                out[q * k + j] = order[j];
            }
        }
        return out;
    }
}
