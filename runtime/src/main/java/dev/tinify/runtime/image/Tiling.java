package dev.tinify.runtime.image;

import java.util.ArrayList;
import java.util.List;

/**
 * How an image larger than a tile is cut into overlapping tiles that are coded independently,
 * so that memory is bounded by the tile, not the image. Along an axis longer than a tile, the
 * image is cut into pieces of {@code tile} pixels (a multiple of 64, the largest stride of the
 * bundled models, so that tiles need no padding) advancing by {@code tile - overlap}, the last
 * piece ending at the image's edge; an axis no longer than a tile is one piece.
 * The decoded tiles are blended over their overlap with linear ramps, so that no seam shows.
 *
 * @param tile side of a tile in pixels, or 0 for a single untiled image
 * @param overlap pixels shared by neighbouring tiles (0 when untiled)
 */
public record Tiling(int tile, int overlap) {
    /** The whole image as one piece, as images no larger than a tile are coded. */
    public static final Tiling NONE = new Tiling(0, 0);
    /** Smallest tile side: smaller tiles would spend most of their bits on the overlap. */
    public static final int MIN_TILE = 128;
    /** Tiles are multiples of this, the largest stride of the bundled models (CompressAI pads to it too). */
    public static final int STRIDE = 64;
    /** Largest tile side. */
    public static final int MAX_TILE = 16384;

    public Tiling {
        if (tile == 0) {
            if (overlap != 0) {
                throw new IllegalArgumentException("an untiled image has no overlap, got " + overlap);
            }
        } else if (tile < MIN_TILE || tile > MAX_TILE || tile % STRIDE != 0) {
            throw new IllegalArgumentException("tile size " + tile + " is not a multiple of " + STRIDE + " in " + MIN_TILE + ".."
                    + MAX_TILE);
        } else if (overlap < 0 || overlap > tile / 4) {
            throw new IllegalArgumentException("tile overlap " + overlap + " is outside 0.." + tile / 4 + " (a quarter of the tile)");
        }
    }

    /** Whether the image is cut at all. */
    public boolean tiled() {
        return tile > 0;
    }

    /** One tile: its place in the image, in pixels. */
    public record Tile(int y, int x, int height, int width) {}

    /** The tiles of a {@code height x width} image, row by row; a single tile when untiled. */
    public List<Tile> tiles(int height, int width) {
        List<Tile> out = new ArrayList<>();
        int[][] ys = spans(height);
        int[][] xs = spans(width);
        for (int[] y : ys) {
            for (int[] x : xs) {
                out.add(new Tile(y[0], x[0], y[1], x[1]));
            }
        }
        return out;
    }

    /** How many tiles {@link #tiles} returns, without listing them. */
    public long count(int height, int width) {
        return (long) pieces(height) * pieces(width);
    }

    private int pieces(int size) {
        return !tiled() || size <= tile ? 1 : (size - overlap + (tile - overlap) - 1) / (tile - overlap);
    }

    /**
     * Start and length of each piece along an axis: pieces of {@code tile} pixels advancing by
     * {@code tile - overlap}, the last one ending at the image's edge. Every piece but the last is
     * a whole tile, a multiple of the stride, so that only the image's own edges are padded (a
     * padded edge inside the image would cost bits and show).
     */
    private int[][] spans(int size) {
        int n = pieces(size);
        if (n == 1) {
            return new int[][] {{0, size}};
        }
        int step = tile - overlap;
        int[][] s = new int[n][];
        for (int i = 0; i < n; i++) {
            int start = i * step;
            s[i] = new int[] {start, Math.min(tile, size - start)};
        }
        return s;
    }

    /**
     * Assembles decoded tiles into the image: each tile's pixels are weighted by ramps rising over
     * {@code overlap} pixels from every edge it shares with a neighbour, and the weighted sum is
     * normalized, so the picture crosses from one tile into the next without a step.
     */
    public RgbImage blend(int height, int width, List<RgbImage> decoded) {
        List<Tile> tiles = tiles(height, width);
        if (decoded.size() != tiles.size()) {
            throw new IllegalArgumentException(tiles.size() + " tiles expected, got " + decoded.size());
        }
        long plane = (long) height * width;
        float[] sum = new float[Math.toIntExact(3 * plane)];
        float[] weight = new float[Math.toIntExact(plane)];
        for (int i = 0; i < tiles.size(); i++) {
            Tile t = tiles.get(i);
            RgbImage img = decoded.get(i);
            if (img.height() != t.height() || img.width() != t.width()) {
                throw new IllegalArgumentException("tile " + i + " is " + img.width() + "x" + img.height() + ", expected "
                        + t.width() + "x" + t.height());
            }
            float[] wy = ramp(t.height(), t.y() > 0, t.y() + t.height() < height);
            float[] wx = ramp(t.width(), t.x() > 0, t.x() + t.width() < width);
            float[] d = img.data();
            int tp = t.height() * t.width();
            for (int y = 0; y < t.height(); y++) {
                for (int x = 0; x < t.width(); x++) {
                    float w = wy[y] * wx[x];
                    int o = (t.y() + y) * width + t.x() + x;
                    int s = y * t.width() + x;
                    weight[o] += w;
                    for (int c = 0; c < 3; c++) {
                        sum[(int) (c * plane) + o] += w * d[c * tp + s];
                    }
                }
            }
        }
        for (int c = 0; c < 3; c++) {
            for (int o = 0; o < plane; o++) {
                sum[(int) (c * plane) + o] /= weight[o];
            }
        }
        return new RgbImage(height, width, sum);
    }

    /** Weights along one side of a tile: 1 inside, rising from near 0 over {@code overlap} pixels at a shared edge (never 0). */
    private float[] ramp(int n, boolean sharedStart, boolean sharedEnd) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            float v = 1f;
            if (sharedStart && i < overlap) {
                v = Math.min(v, (i + 0.5f) / overlap);
            }
            if (sharedEnd && n - 1 - i < overlap) {
                v = Math.min(v, (n - 1 - i + 0.5f) / overlap);
            }
            w[i] = v;
        }
        return w;
    }

    /** The pixels of one tile cut out of {@code image}. */
    public static RgbImage cut(RgbImage image, Tile t) {
        float[] d = image.data();
        int plane = image.height() * image.width();
        float[] out = new float[3 * t.height() * t.width()];
        int tp = t.height() * t.width();
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < t.height(); y++) {
                System.arraycopy(d, c * plane + (t.y() + y) * image.width() + t.x(), out, c * tp + y * t.width(), t.width());
            }
        }
        return new RgbImage(t.height(), t.width(), out);
    }

    @Override
    public String toString() {
        return tiled() ? tile + "px tiles, " + overlap + "px overlap" : "untiled";
    }
}
