package dev.tinify.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.RgbImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Patches are exact (flipped, reordered) crops of the decoded images, whether decoded now or taken from the cache. */
class PatchSamplerTest {
    @TempDir
    Path tmp;

    private static float[] batch(PatchSampler s, long first, int count, int patch) {
        FloatBuffer out = ByteBuffer.allocateDirect(Float.BYTES * count * 3 * patch * patch).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        s.batch(first, count, out);
        float[] a = new float[out.capacity()];
        out.get(0, a);
        return a;
    }

    @Test
    void fullSizePatchesAreTheDecodedImageUpToFlips() throws Exception {
        Path dir = TrainFixtures.someCrops(tmp.resolve("one"), 1);
        RgbImage img = ImageFiles.read(dir.resolve("00000.png"));
        int side = img.height();
        PatchSampler s = new PatchSampler(dir, side, 7, Augmentation.DEFAULT);
        // 16 samples of the one image: the first decodes it, the others come from the cache.
        float[] all = batch(s, 0, 16, side);
        int size = 3 * side * side;
        boolean[] seen = new boolean[4];
        for (int k = 0; k < 16; k++) {
            int flips = matchingFlips(img, all, k * size, IDENTITY);
            assertTrue(flips >= 0, "sample " + k + " is no flip of the image");
            seen[flips] = true;
        }
        for (boolean b : seen) {
            assertTrue(b, "16 samples should show all four flip combinations");
        }
    }

    @Test
    void channelOrdersPermuteThePlanesOfTheSameCropsAndFlips() throws Exception {
        Path dir = TrainFixtures.someCrops(tmp.resolve("orders"), 1);
        RgbImage img = ImageFiles.read(dir.resolve("00000.png"));
        int side = img.height();
        int size = 3 * side * side;
        int n = 48;
        float[] plain = batch(new PatchSampler(dir, side, 7, Augmentation.DEFAULT), 0, n, side);
        float[] coloured = batch(new PatchSampler(dir, side, 7, EnumSet.of(Augmentation.FLIPS, Augmentation.CHANNELS)), 0, n, side);
        Set<String> orders = new HashSet<>();
        for (int k = 0; k < n; k++) {
            int flips = matchingFlips(img, plain, k * size, IDENTITY);
            int[] order = null;
            for (int[] o : ORDERS) {
                if (matchingFlips(img, coloured, k * size, o) == flips) {
                    order = o;
                }
            }
            assertTrue(order != null, "sample " + k + " is not the flips-only sample with its planes reordered");
            orders.add(Arrays.toString(order));
        }
        assertEquals(6, orders.size(), "48 samples should show all six orders of R, G, B: " + orders);
    }

    @Test
    void withoutAugmentationAPatchIsTheCropAsItIs() throws Exception {
        Path dir = TrainFixtures.someCrops(tmp.resolve("plain"), 1);
        RgbImage img = ImageFiles.read(dir.resolve("00000.png"));
        int side = img.height();
        float[] all = batch(new PatchSampler(dir, side, 7, Augmentation.parse(List.of("none"))), 0, 8, side);
        for (int k = 0; k < 8; k++) {
            assertEquals(0, matchingFlips(img, all, k * 3 * side * side, IDENTITY), "sample " + k);
        }
    }

    @Test
    void sameSeedSameBatchesCachedOrNot() throws Exception {
        Path dir = TrainFixtures.someCrops(tmp.resolve("four"), 4);
        PatchSampler a = new PatchSampler(dir, 64, 3, Augmentation.DEFAULT);
        float[] first = batch(a, 5, 6, 64);
        // Again from the cache, and from a fresh sampler that decodes.
        assertArrayEquals(first, batch(a, 5, 6, 64));
        assertArrayEquals(first, batch(new PatchSampler(dir, 64, 3, Augmentation.DEFAULT), 5, 6, 64));
    }

    @Test
    void tooSmallBufferIsRefused() throws Exception {
        Path dir = TrainFixtures.someCrops(tmp.resolve("two"), 2);
        PatchSampler s = new PatchSampler(dir, 32, 1, Augmentation.DEFAULT);
        FloatBuffer small = FloatBuffer.allocate(3 * 32 * 32);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.batch(0, 2, small));
        assertTrue(e.getMessage().contains("needs 6144 floats"), e.getMessage());
    }

    private static final int[] IDENTITY = {0, 1, 2};
    private static final int[][] ORDERS = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};

    /**
     * Which flips (bit 0 horizontal, bit 1 vertical) turn the image, its plane {@code order[c]}
     * as plane c, into the patch at {@code offset}; -1 if none.
     */
    private static int matchingFlips(RgbImage img, float[] patches, int offset, int[] order) {
        int h = img.height();
        int w = img.width();
        for (int flips = 0; flips < 4; flips++) {
            boolean same = true;
            for (int c = 0; c < 3 && same; c++) {
                for (int y = 0; y < h && same; y++) {
                    for (int x = 0; x < w; x++) {
                        int sy = (flips & 2) != 0 ? h - 1 - y : y;
                        int sx = (flips & 1) != 0 ? w - 1 - x : x;
                        if (Float.floatToIntBits(patches[offset + (c * h + y) * w + x]) != Float.floatToIntBits(img.get(order[c], sy, sx))) {
                            same = false;
                            break;
                        }
                    }
                }
            }
            if (same) {
                return flips;
            }
        }
        return -1;
    }
}
