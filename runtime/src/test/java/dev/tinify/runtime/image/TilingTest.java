package dev.tinify.runtime.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TilingTest {
    @Test
    void tilesCoverTheImageWithAtLeastTheOverlap() {
        Tiling t = new Tiling(512, 64);
        for (int[] size : new int[][] {{2160, 3840}, {512, 513}, {1000, 100}, {300, 300}}) {
            int h = size[0];
            int w = size[1];
            int[] covered = new int[h * w];
            List<Tiling.Tile> tiles = t.tiles(h, w);
            assertEquals(t.count(h, w), tiles.size());
            for (Tiling.Tile tile : tiles) {
                assertTrue(tile.y() >= 0 && tile.x() >= 0 && tile.y() + tile.height() <= h && tile.x() + tile.width() <= w, tile.toString());
                assertTrue(tile.height() == Math.min(512, h) || tile.y() + tile.height() == h, "only the last row is cut: " + tile);
                assertTrue(tile.width() == Math.min(512, w) || tile.x() + tile.width() == w, "only the last column is cut: " + tile);
                for (int y = tile.y(); y < tile.y() + tile.height(); y++) {
                    for (int x = tile.x(); x < tile.x() + tile.width(); x++) {
                        covered[y * w + x]++;
                    }
                }
            }
            for (int i = 0; i < covered.length; i++) {
                assertTrue(covered[i] >= 1, "pixel " + i + " of " + w + "x" + h + " is in no tile");
            }
        }
        // 3840 - 64 = 3776 needs ceil(3776 / 448) = 9 columns advancing by 448; 2160: 5 rows, the last 368 high.
        assertEquals(9 * 5, t.count(2160, 3840));
        assertEquals(new Tiling.Tile(448, 896, 512, 512), t.tiles(2160, 3840).get(11));
        assertEquals(new Tiling.Tile(1792, 3584, 368, 256), t.tiles(2160, 3840).get(44));
        assertEquals(1, Tiling.NONE.count(2160, 3840));
    }

    @Test
    void blendingTheImagesOwnTilesGivesItBack() {
        Random r = new Random(1);
        int h = 700;
        int w = 450;
        float[] d = new float[3 * h * w];
        for (int i = 0; i < d.length; i++) {
            d[i] = r.nextFloat();
        }
        RgbImage image = new RgbImage(h, w, d);
        Tiling t = new Tiling(256, 48);
        List<RgbImage> parts = new ArrayList<>();
        for (Tiling.Tile tile : t.tiles(h, w)) {
            parts.add(Tiling.cut(image, tile));
        }
        float[] back = t.blend(h, w, parts).data();
        for (int i = 0; i < d.length; i++) {
            assertEquals(d[i], back[i], 1e-6f);
        }
    }

    @Test
    void blendingCrossesASeamWithoutAStep() {
        // Two tiles of constant 0 and 1: across their overlap the blend rises in steps of about 1/overlap.
        Tiling t = new Tiling(256, 64);
        int w = 448;
        List<RgbImage> parts = new ArrayList<>();
        List<Tiling.Tile> tiles = t.tiles(128, w);
        assertEquals(2, tiles.size());
        for (int i = 0; i < 2; i++) {
            float[] v = new float[3 * 128 * 256];
            java.util.Arrays.fill(v, i);
            parts.add(new RgbImage(128, 256, v));
        }
        RgbImage out = t.blend(128, w, parts);
        float maxStep = 0;
        for (int x = 1; x < w; x++) {
            maxStep = Math.max(maxStep, Math.abs(out.get(0, 64, x) - out.get(0, 64, x - 1)));
        }
        assertTrue(maxStep < 2.5f / 64, "largest step between neighbours " + maxStep);
    }

    @Test
    void invalidTilingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Tiling(64, 0));
        assertThrows(IllegalArgumentException.class, () -> new Tiling(300, 0));
        assertThrows(IllegalArgumentException.class, () -> new Tiling(256, 65));
        assertThrows(IllegalArgumentException.class, () -> new Tiling(0, 8));
    }
}
