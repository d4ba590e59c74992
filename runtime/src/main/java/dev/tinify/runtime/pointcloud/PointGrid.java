package dev.tinify.runtime.pointcloud;

/**
 * A uniform grid over the points of one cloud ({@code xyz} = x0, y0, z0, x1, ...): the points are
 * stored cell by cell (cell-major, ascending original index inside a cell) so that a cell is a
 * contiguous range, which keeps the neighbourhood searches cache-friendly.
 *
 * <p>The grid only prunes: every search that uses it compares exact float32 distances of the
 * candidates it keeps, and skips a cell only when a lower bound of the distance, computed in double
 * and shrunk by {@link #SLACK}, already exceeds what the cell could change. So the results are the
 * same as an exhaustive search.
 */
final class PointGrid {
    /** Relative slack on distance bounds: far above float32 rounding of a 3-term distance. */
    static final double SLACK = 1e-5;

    final int n;
    final int nx;
    final int ny;
    final int nz;
    final double minX;
    final double minY;
    final double minZ;
    final double cell;
    /** Cell c holds sorted positions {@code start[c] .. start[c+1]-1}. */
    final int[] start;
    /** Original index of the point at each sorted position. */
    final int[] index;
    /** Coordinates in sorted order. */
    final float[] x;
    final float[] y;
    final float[] z;

    /**
     * Builds a grid of cubic cells of side {@code cellSide} (enlarged if that would make more than
     * about {@code 4n + 64} cells). Coordinates must be finite.
     */
    PointGrid(float[] xyz, int n, double cellSide) {
        this.n = n;
        double lx = Double.POSITIVE_INFINITY;
        double ly = Double.POSITIVE_INFINITY;
        double lz = Double.POSITIVE_INFINITY;
        double hx = Double.NEGATIVE_INFINITY;
        double hy = Double.NEGATIVE_INFINITY;
        double hz = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float a = xyz[3 * i];
            float b = xyz[3 * i + 1];
            float c = xyz[3 * i + 2];
            if (!Float.isFinite(a) || !Float.isFinite(b) || !Float.isFinite(c)) {
                throw new IllegalArgumentException("point " + i + " has a non-finite coordinate");
            }
            lx = Math.min(lx, a);
            ly = Math.min(ly, b);
            lz = Math.min(lz, c);
            hx = Math.max(hx, a);
            hy = Math.max(hy, b);
            hz = Math.max(hz, c);
        }
        if (n == 0) {
            lx = ly = lz = hx = hy = hz = 0;
        }
        double ext = Math.max(hx - lx, Math.max(hy - ly, hz - lz));
        double side = cellSide > 0 && Double.isFinite(cellSide) ? cellSide : Math.max(ext, 1);
        long maxCells = 4L * n + 64;
        while (cells(hx - lx, side) * cells(hy - ly, side) * cells(hz - lz, side) > maxCells) {
            side *= 1.5;
        }
        if (side == 0) {
            side = 1;
        }
        this.cell = side;
        this.minX = lx;
        this.minY = ly;
        this.minZ = lz;
        this.nx = (int) cells(hx - lx, side);
        this.ny = (int) cells(hy - ly, side);
        this.nz = (int) cells(hz - lz, side);
        int total = nx * ny * nz;
        int[] cellOf = new int[n];
        int[] counts = new int[total + 1];
        for (int i = 0; i < n; i++) {
            int c = cellIndex(coord(xyz[3 * i], minX, nx), coord(xyz[3 * i + 1], minY, ny), coord(xyz[3 * i + 2], minZ, nz));
            cellOf[i] = c;
            counts[c + 1]++;
        }
        for (int c = 0; c < total; c++) {
            counts[c + 1] += counts[c];
        }
        this.start = counts.clone();
        this.index = new int[n];
        this.x = new float[n];
        this.y = new float[n];
        this.z = new float[n];
        int[] fill = counts;
        for (int i = 0; i < n; i++) {
            int pos = fill[cellOf[i]]++;
            index[pos] = i;
            x[pos] = xyz[3 * i];
            y[pos] = xyz[3 * i + 1];
            z[pos] = xyz[3 * i + 2];
        }
    }

    private static long cells(double extent, double side) {
        return Math.max(1, (long) Math.floor(extent / side) + 1);
    }

    int cellCount() {
        return nx * ny * nz;
    }

    int cellIndex(int ix, int iy, int iz) {
        return (iz * ny + iy) * nx + ix;
    }

    /** The cell coordinate of {@code v} along one axis, clamped to the grid. */
    int coord(double v, double min, int cellsAlong) {
        double c = Math.floor((v - min) / cell);
        if (c < 0) {
            return 0;
        }
        return c >= cellsAlong ? cellsAlong - 1 : (int) c;
    }

    /** Squared distance from (qx, qy, qz) to the box of cell (ix, iy, iz), in double. */
    double boxDistance(double qx, double qy, double qz, int ix, int iy, int iz) {
        // The box grows by a hair so that a point placed in a cell by a rounded division is inside it.
        double e = cell * 1e-9;
        double dx = axisGap(qx, minX + ix * cell - e, minX + (ix + 1) * cell + e);
        double dy = axisGap(qy, minY + iy * cell - e, minY + (iy + 1) * cell + e);
        double dz = axisGap(qz, minZ + iz * cell - e, minZ + (iz + 1) * cell + e);
        return dx * dx + dy * dy + dz * dz;
    }

    private static double axisGap(double v, double lo, double hi) {
        return v < lo ? lo - v : v > hi ? v - hi : 0;
    }

    /** The fixture distance rule: {@code (dx·dx + dy·dy) + dz·dz} in float32, {@code d = p − q}. */
    static float squaredDistance(float px, float py, float pz, float qx, float qy, float qz) {
        float dx = px - qx;
        float dy = py - qy;
        float dz = pz - qz;
        return (dx * dx + dy * dy) + dz * dz;
    }
}
