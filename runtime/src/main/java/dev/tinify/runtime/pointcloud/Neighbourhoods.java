package dev.tinify.runtime.pointcloud;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The neighbourhood operations of the point-cloud models (farthest point sampling, k nearest
 * neighbours, ball query) on one cloud, in plain Java. Clouds are flat arrays {@code x0, y0, z0,
 * x1, ...}; results are indices into them.
 *
 * <p>The rules are exact, so that sampled and neighbour indices equal CompressAI's reference (the
 * fixtures' rules, not the CUDA {@code pointops} extension): squared distance {@code (dx·dx +
 * dy·dy) + dz·dz} in float32 with {@code d = p − q}, separate multiplies and adds (Java never fuses
 * them), and ties to the lower index. A uniform grid ({@link PointGrid}) prunes the search without
 * changing any result.
 *
 * <p>Cost: farthest point sampling of m from n points is O(n·m) in the worst case (every point
 * stays close to the latest pick), in practice about O(n log n + m·(c + n/m)) for c grid cells,
 * because after the first picks only the cells near the latest pick can change; kNN is about
 * O(q·k) per query ring for q queries, ball query O(q·(points in the ball)).
 */
public final class Neighbourhoods {
    /** The running minimum every point starts with in farthest point sampling. */
    private static final float FPS_START = 1e10f;

    private Neighbourhoods() {}

    /** The operations, named as the reference fixtures name their calls ({@code forward.fps.0.idx}). */
    public enum Operation {
        FPS("fps"), KNN("knn"), BALL_QUERY("ball_query");

        private final String word;

        Operation(String word) {
            this.word = word;
        }

        /** The fixtures' name of the operation. */
        public String word() {
            return word;
        }
    }

    /** Receives the indices of every operation run on the listening thread, in call order. */
    public interface Listener {
        void called(Operation operation, int[] indices);
    }

    /** A listener's registration; closing it restores the thread's previous listener. */
    public interface Listening extends AutoCloseable {
        @Override
        void close();
    }

    private static final ThreadLocal<@Nullable Listener> LISTENER = new ThreadLocal<>();

    /**
     * Makes {@code listener} receive this thread's calls until the returned handle is closed (a
     * check compares a model's sampled and neighbour indices with a reference's this way).
     */
    public static Listening listen(Listener listener) {
        Listener before = LISTENER.get();
        LISTENER.set(listener);
        return () -> LISTENER.set(before);
    }

    private static int[] recorded(Operation operation, int[] indices) {
        Listener l = LISTENER.get();
        if (l != null) {
            l.called(operation, indices.clone());
        }
        return indices;
    }

    /** Ball-query result: {@code index} [q, nsample] and the number of points inside each ball. */
    public record BallQuery(int[] index, int[] inside) {}

    /**
     * Farthest point sampling of {@code m} of the {@code n} points: starts at index 0; each point
     * keeps a running minimum distance (initially 1e10) to the picks so far, and the next pick is
     * the first index with the largest running minimum. Returns the picks in selection order.
     */
    public static int[] farthestPointSample(float[] xyz, int n, int m) {
        return farthestPointSample(xyz, n, m, 0);
    }

    /**
     * {@link #farthestPointSample(float[], int, int)}, where running minima within a relative
     * {@code tieTolerance} of the largest count as tied with it: the next pick is the first index
     * whose running minimum is at least the largest times (1 − tieTolerance). For points computed
     * by learned layers, whose last bits differ between machines and libraries, so that a tie in
     * exact arithmetic is decided the same way everywhere.
     */
    public static int[] farthestPointSample(float[] xyz, int n, int m, float tieTolerance) {
        requireCloud(xyz, n, "points");
        if (!(tieTolerance >= 0 && tieTolerance < 1)) {
            throw new IllegalArgumentException("tie tolerance " + tieTolerance + ", expected 0 <= tolerance < 1");
        }
        if (m < 0 || (m > 0 && n == 0)) {
            throw new IllegalArgumentException("cannot sample " + m + " of " + n + " points");
        }
        int[] out = new int[m];
        if (m == 0) {
            return recorded(Operation.FPS, out);
        }
        // About 16 points per cell: picks then touch few cells each, and the tournament over cells stays small.
        PointGrid g = new PointGrid(xyz, n, sideFor(xyz, n, 16));
        int cells = g.cellCount();
        float[] running = new float[n];
        Arrays.fill(running, FPS_START);
        float[] cellMax = new float[cells];
        int[] cellArg = new int[cells];
        Tournament t = new Tournament(cells, cellMax, cellArg);
        for (int c = 0; c < cells; c++) {
            refreshCell(g, c, running, cellMax, cellArg);
            t.set(c);
        }
        int pick = 0;
        for (int i = 0; i < m; i++) {
            out[i] = pick;
            float qx = xyz[3 * pick];
            float qy = xyz[3 * pick + 1];
            float qz = xyz[3 * pick + 2];
            // No point farther than the largest running minimum can lower its own.
            double reach = Math.sqrt(cellMax[t.winner()]) * (1 + PointGrid.SLACK) + g.cell * 1e-9;
            int x0 = g.coord(qx - reach, g.minX, g.nx);
            int x1 = g.coord(qx + reach, g.minX, g.nx);
            int y0 = g.coord(qy - reach, g.minY, g.ny);
            int y1 = g.coord(qy + reach, g.minY, g.ny);
            int z0 = g.coord(qz - reach, g.minZ, g.nz);
            int z1 = g.coord(qz + reach, g.minZ, g.nz);
            for (int iz = z0; iz <= z1; iz++) {
                for (int iy = y0; iy <= y1; iy++) {
                    for (int ix = x0; ix <= x1; ix++) {
                        int c = g.cellIndex(ix, iy, iz);
                        if (g.start[c] == g.start[c + 1]
                                || g.boxDistance(qx, qy, qz, ix, iy, iz) * (1 - PointGrid.SLACK) > cellMax[c]) {
                            continue;
                        }
                        for (int p = g.start[c]; p < g.start[c + 1]; p++) {
                            float d = PointGrid.squaredDistance(g.x[p], g.y[p], g.z[p], qx, qy, qz);
                            if (d < running[p]) {
                                running[p] = d;
                            }
                        }
                        refreshCell(g, c, running, cellMax, cellArg);
                        t.set(c);
                    }
                }
            }
            pick = cellArg[t.winner()];
            if (tieTolerance > 0) {
                pick = firstWithin(g, t, running, cellMax[t.winner()] * (1 - tieTolerance), pick);
            }
        }
        return recorded(Operation.FPS, out);
    }

    /** The lowest original index whose running minimum is at least {@code threshold} ({@code best} holds the largest). */
    private static int firstWithin(PointGrid g, Tournament t, float[] running, float threshold, int best) {
        int[] first = {best};
        t.forEachAtLeast(threshold, c -> {
            for (int p = g.start[c]; p < g.start[c + 1]; p++) {
                if (running[p] >= threshold && g.index[p] < first[0]) {
                    first[0] = g.index[p];
                }
            }
        });
        return first[0];
    }

    /** Recomputes a cell's largest running minimum and the lowest original index holding it. */
    private static void refreshCell(PointGrid g, int c, float[] running, float[] cellMax, int[] cellArg) {
        float best = -1;
        int arg = Integer.MAX_VALUE;
        for (int p = g.start[c]; p < g.start[c + 1]; p++) {
            float r = running[p];
            if (r > best || (r == best && g.index[p] < arg)) {
                best = r;
                arg = g.index[p];
            }
        }
        cellMax[c] = best;
        cellArg[c] = arg;
    }

    /** A tournament tree over cells: the winner has the largest value, ties to the lowest index. */
    private static final class Tournament {
        private final int leaves;
        private final int[] node;
        private final float[] value;
        private final int[] arg;

        Tournament(int cells, float[] value, int[] arg) {
            int l = 1;
            while (l < cells) {
                l <<= 1;
            }
            this.leaves = l;
            this.node = new int[2 * l];
            Arrays.fill(node, -1);
            this.value = value;
            this.arg = arg;
        }

        void set(int cell) {
            int i = leaves + cell;
            node[i] = cell;
            for (i >>= 1; i >= 1; i >>= 1) {
                node[i] = better(node[2 * i], node[2 * i + 1]);
            }
        }

        int winner() {
            return node[1];
        }

        /** Calls {@code action} with every cell whose value is at least {@code threshold}, visiting only subtrees that hold one. */
        void forEachAtLeast(float threshold, java.util.function.IntConsumer action) {
            int[] stack = new int[64];
            int top = 0;
            stack[top++] = 1;
            while (top > 0) {
                int i = stack[--top];
                int c = node[i];
                if (c < 0 || value[c] < threshold) {
                    continue;
                }
                if (i >= leaves) {
                    action.accept(c);
                } else {
                    stack[top++] = 2 * i;
                    stack[top++] = 2 * i + 1;
                }
            }
        }

        private int better(int a, int b) {
            if (a < 0) {
                return b;
            }
            if (b < 0) {
                return a;
            }
            float va = value[a];
            float vb = value[b];
            return va > vb || (va == vb && arg[a] < arg[b]) ? a : b;
        }
    }

    /**
     * The positions of batch item {@code item} of channel-first coordinates [B, 3, n] as the
     * point-major array [n, 3] the operations here take.
     */
    static float[] pointMajor(float[] channels, int item, int n) {
        float[] out = new float[3 * n];
        for (int p = 0; p < n; p++) {
            for (int a = 0; a < 3; a++) {
                out[3 * p + a] = channels[(item * 3 + a) * n + p];
            }
        }
        return out;
    }

    /**
     * The {@code k} nearest reference points of each query, nearest first, exact ties to the lower
     * reference index: [nQuery · k] indices.
     */
    public static int[] knn(float[] ref, int nRef, float[] query, int nQuery, int k) {
        requireCloud(ref, nRef, "reference points");
        requireCloud(query, nQuery, "query points");
        if (k < 1 || k > nRef) {
            throw new IllegalArgumentException("k must be in 1.." + nRef + " (the reference points), got " + k);
        }
        PointGrid g = new PointGrid(ref, nRef, sideFor(ref, nRef, 2));
        int[] out = new int[nQuery * k];
        float[] bestD = new float[k];
        int[] bestI = new int[k];
        for (int q = 0; q < nQuery; q++) {
            float qx = query[3 * q];
            float qy = query[3 * q + 1];
            float qz = query[3 * q + 2];
            int cx = g.coord(qx, g.minX, g.nx);
            int cy = g.coord(qy, g.minY, g.ny);
            int cz = g.coord(qz, g.minZ, g.nz);
            int count = 0;
            for (int r = 0; ; r++) {
                count = knnShell(g, qx, qy, qz, cx, cy, cz, r, k, bestD, bestI, count);
                boolean whole = cx - r <= 0 && cy - r <= 0 && cz - r <= 0
                        && cx + r >= g.nx - 1 && cy + r >= g.ny - 1 && cz + r >= g.nz - 1;
                if (whole || (count == k && outsideBound(g, qx, qy, qz, cx, cy, cz, r) * (1 - PointGrid.SLACK) > bestD[k - 1])) {
                    break;
                }
            }
            System.arraycopy(bestI, 0, out, q * k, k);
        }
        return recorded(Operation.KNN, out);
    }

    /** Offers the points of the cells at Chebyshev distance {@code r} from (cx, cy, cz); returns the new count. */
    private static int knnShell(PointGrid g, float qx, float qy, float qz, int cx, int cy, int cz, int r, int k,
                                float[] bestD, int[] bestI, int count) {
        int z0 = Math.max(cz - r, 0);
        int z1 = Math.min(cz + r, g.nz - 1);
        int y0 = Math.max(cy - r, 0);
        int y1 = Math.min(cy + r, g.ny - 1);
        for (int iz = z0; iz <= z1; iz++) {
            for (int iy = y0; iy <= y1; iy++) {
                boolean face = Math.abs(iz - cz) == r || Math.abs(iy - cy) == r;
                int step = face || r == 0 ? 1 : 2 * r;
                for (int ix = cx - r; ix <= cx + r; ix += step) {
                    if (ix < 0 || ix >= g.nx) {
                        continue;
                    }
                    int c = g.cellIndex(ix, iy, iz);
                    if (g.start[c] == g.start[c + 1]
                            || (count == k && g.boxDistance(qx, qy, qz, ix, iy, iz) * (1 - PointGrid.SLACK) > bestD[k - 1])) {
                        continue;
                    }
                    for (int p = g.start[c]; p < g.start[c + 1]; p++) {
                        float d = PointGrid.squaredDistance(g.x[p], g.y[p], g.z[p], qx, qy, qz);
                        count = offer(d, g.index[p], k, bestD, bestI, count);
                    }
                }
            }
        }
        return count;
    }

    /** Inserts (d, i) into the sorted best list if it beats the worst kept; returns the new count. */
    private static int offer(float d, int i, int k, float[] bestD, int[] bestI, int count) {
        if (count == k && !(d < bestD[k - 1] || (d == bestD[k - 1] && i < bestI[k - 1]))) {
            return count;
        }
        int pos = count == k ? k - 1 : count;
        while (pos > 0 && (bestD[pos - 1] > d || (bestD[pos - 1] == d && bestI[pos - 1] > i))) {
            bestD[pos] = bestD[pos - 1];
            bestI[pos] = bestI[pos - 1];
            pos--;
        }
        bestD[pos] = d;
        bestI[pos] = i;
        return count == k ? k : count + 1;
    }

    /** A lower bound of the squared distance from q to any cell outside the cube of radius r around (cx, cy, cz). */
    private static double outsideBound(PointGrid g, double qx, double qy, double qz, int cx, int cy, int cz, int r) {
        double b = Double.POSITIVE_INFINITY;
        if (cx - r > 0) {
            b = Math.min(b, qx - (g.minX + (cx - r) * g.cell));
        }
        if (cx + r < g.nx - 1) {
            b = Math.min(b, g.minX + (cx + r + 1) * g.cell - qx);
        }
        if (cy - r > 0) {
            b = Math.min(b, qy - (g.minY + (cy - r) * g.cell));
        }
        if (cy + r < g.ny - 1) {
            b = Math.min(b, g.minY + (cy + r + 1) * g.cell - qy);
        }
        if (cz - r > 0) {
            b = Math.min(b, qz - (g.minZ + (cz - r) * g.cell));
        }
        if (cz + r < g.nz - 1) {
            b = Math.min(b, g.minZ + (cz + r + 1) * g.cell - qz);
        }
        b -= g.cell * 1e-9;
        return b <= 0 ? 0 : b * b;
    }

    /**
     * Ball query: for each query, the {@code nsample} smallest indices of the points within
     * {@code radius}, in ascending index order, missing slots filled with the first of them. The
     * distance here is {@code −2·(q·p) + |q|² + |p|²} in float32 (dot and norms summed x, y, then
     * z; then the query norm added, then the point norm), and a point is outside when it exceeds
     * {@code radius²} (rounded to float32). Every query must have a point within the radius (the
     * models query points of the cloud itself).
     */
    public static BallQuery ballQuery(float[] points, int n, float[] queries, int nQuery, double radius, int nsample) {
        requireCloud(points, n, "points");
        requireCloud(queries, nQuery, "query points");
        if (!(radius > 0) || !Double.isFinite(radius) || nsample < 1) {
            throw new IllegalArgumentException("ball query needs a positive radius and nsample, got " + radius + ", " + nsample);
        }
        float r2 = (float) (radius * radius);
        PointGrid g = new PointGrid(points, n, radius);
        float[] norm = new float[n];
        float maxNorm = 0;
        for (int p = 0; p < n; p++) {
            norm[p] = (g.x[p] * g.x[p] + g.y[p] * g.y[p]) + g.z[p] * g.z[p];
            maxNorm = Math.max(maxNorm, norm[p]);
        }
        int[] index = new int[nQuery * nsample];
        int[] inside = new int[nQuery];
        int[] found = new int[Math.max(n, 1)];
        for (int q = 0; q < nQuery; q++) {
            float qx = queries[3 * q];
            float qy = queries[3 * q + 1];
            float qz = queries[3 * q + 2];
            float qn = (qx * qx + qy * qy) + qz * qz;
            // The expanded formula loses up to a few ulps of |q|² + |p|²: search a little wider than the radius.
            double reach = Math.sqrt(r2 + 1e-6 * ((double) qn + maxNorm)) * (1 + PointGrid.SLACK) + g.cell * 1e-9;
            int count = 0;
            for (int iz = g.coord(qz - reach, g.minZ, g.nz); iz <= g.coord(qz + reach, g.minZ, g.nz); iz++) {
                for (int iy = g.coord(qy - reach, g.minY, g.ny); iy <= g.coord(qy + reach, g.minY, g.ny); iy++) {
                    for (int ix = g.coord(qx - reach, g.minX, g.nx); ix <= g.coord(qx + reach, g.minX, g.nx); ix++) {
                        int c = g.cellIndex(ix, iy, iz);
                        for (int p = g.start[c]; p < g.start[c + 1]; p++) {
                            float dot = (qx * g.x[p] + qy * g.y[p]) + qz * g.z[p];
                            float d = (-2f * dot + qn) + norm[p];
                            if (!(d > r2)) {
                                found[count++] = g.index[p];
                            }
                        }
                    }
                }
            }
            if (count == 0) {
                throw new IllegalArgumentException("ball query: no point within radius " + radius + " of query " + q);
            }
            Arrays.sort(found, 0, count);
            inside[q] = count;
            for (int s = 0; s < nsample; s++) {
                index[q * nsample + s] = found[s < count ? s : 0];
            }
        }
        recorded(Operation.BALL_QUERY, index);
        return new BallQuery(index, inside);
    }

    /** Cell side giving about {@code perCell} points per cell if they filled their bounding box. */
    private static double sideFor(float[] xyz, int n, int perCell) {
        float[] lo = {Float.MAX_VALUE, Float.MAX_VALUE, Float.MAX_VALUE};
        float[] hi = {-Float.MAX_VALUE, -Float.MAX_VALUE, -Float.MAX_VALUE};
        for (int i = 0; i < 3 * n; i++) {
            lo[i % 3] = Math.min(lo[i % 3], xyz[i]);
            hi[i % 3] = Math.max(hi[i % 3], xyz[i]);
        }
        double ext = 0;
        for (int a = 0; a < 3; a++) {
            ext = Math.max(ext, (double) hi[a] - lo[a]);
        }
        return ext / Math.max(1, Math.cbrt((double) n / perCell));
    }

    private static void requireCloud(float[] xyz, int n, String what) {
        if (n < 0 || xyz.length < 3L * n) {
            throw new IllegalArgumentException(what + ": need " + n + " xyz triples, the array holds " + xyz.length / 3);
        }
    }
}
