package dev.tinify.runtime.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PaddingTest {
    @Test
    void centredWithTheOddPixelRightAndBottom() {
        // compute_padding(37 wide, 100 high, min_div=16): out 48 x 112, left (48-37)//2 = 5.
        assertEquals(new Padding(5, 6, 6, 6), Padding.forStride(100, 37, 16));
        assertEquals(Padding.NONE, Padding.forStride(512, 768, 64));
        assertEquals(new Padding(0, 1, 31, 32), Padding.forStride(1, 63, 64));
    }

    @Test
    void paddedSizeIsTheNextMultiple() {
        for (int n = 1; n < 200; n++) {
            Padding p = Padding.forStride(n, n + 3, 64);
            assertEquals(0, p.paddedHeight(n) % 64);
            assertEquals(0, p.paddedWidth(n + 3) % 64);
            assertEquals(true, p.paddedHeight(n) - n < 64);
        }
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new Padding(-1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Padding.forStride(10, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> Padding.forStride(0, 10, 8));
    }
}
