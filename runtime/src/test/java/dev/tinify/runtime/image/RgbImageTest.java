package dev.tinify.runtime.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RgbImageTest {
    static RgbImage random(int h, int w, long seed) {
        Random r = new Random(seed);
        float[] f = new float[3 * h * w];
        for (int i = 0; i < f.length; i++) {
            f[i] = r.nextFloat();
        }
        return new RgbImage(h, w, f);
    }

    @Test
    void eightBitConversionClampsAndRoundsHalfToEven() {
        float[] f = {-0.2f, 1.3f, 0.999f, 0.5f, 0f, 1f};
        int[] v = new RgbImage(1, 2, f).to8Bit();
        assertArrayEquals(new int[] {0, 255, 255, 128, 0, 255}, v);
        // Wherever a float times 255 lands exactly on k + 0.5, the even neighbour is taken.
        int ties = 0;
        for (int k = 0; k < 255; k++) {
            float v0 = (k + 0.5f) / 255f;
            for (float c = Math.nextDown(Math.nextDown(v0)); c <= Math.nextUp(Math.nextUp(v0)); c = Math.nextUp(c)) {
                if (c * 255f == k + 0.5f) {
                    int got = new RgbImage(1, 1, new float[] {c, c, c}).to8Bit()[0];
                    assertEquals(k % 2 == 0 ? k : k + 1, got, "tie at " + k);
                    ties++;
                }
            }
        }
        assertEquals(true, ties > 50, "found only " + ties + " exact ties");
    }

    @Test
    void nanHasNoEightBitValue() {
        RgbImage im = new RgbImage(1, 2, new float[] {0, 0, 0, Float.NaN, 0, 0});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, im::to8Bit);
        assertEquals("NaN sample at channel 1, row 0, column 1", e.getMessage());
    }

    @Test
    void padAddsZerosAndCropUndoesIt() {
        RgbImage im = random(5, 7, 1);
        Padding p = Padding.forStride(5, 7, 4);
        RgbImage padded = im.pad(p);
        assertEquals(8, padded.height());
        assertEquals(8, padded.width());
        assertEquals(0f, padded.get(2, 0, 0));
        assertEquals(0f, padded.get(1, 7, 7));
        assertEquals(im.get(1, 0, 0), padded.get(1, p.top(), p.left()));
        assertArrayEquals(im.data(), padded.crop(p).data());
    }

    @Test
    void ndArrayRoundTripIsChwWithABatchDimension() {
        RgbImage im = random(3, 4, 2);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = im.toNDArray(m);
            assertEquals(new Shape(1, 3, 3, 4), a.getShape());
            assertEquals(im.get(2, 1, 3), a.getFloat(0, 2, 1, 3));
            assertArrayEquals(im.data(), RgbImage.fromNDArray(a).data());
            assertArrayEquals(im.data(), RgbImage.fromNDArray(a.squeeze(0).toType(DataType.FLOAT64, false)).data());
            assertThrows(IllegalArgumentException.class, () -> RgbImage.fromNDArray(m.zeros(new Shape(1, 4, 2, 2))));
            assertThrows(IllegalArgumentException.class, () -> RgbImage.fromNDArray(m.zeros(new Shape(3, 2, 2), DataType.INT32)));
        }
    }

    @Test
    void sizeAndLengthAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(2, 2, new float[11]));
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(1 << 14, 1 << 13, new float[3]));
        assertThrows(IllegalArgumentException.class, () -> RgbImage.from8Bit(1, 1, new int[] {0, 256, 0}));
    }
}
