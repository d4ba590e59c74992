package dev.tinify.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BppTest {
    @Test
    void eightBitsPerByteOverPixels() {
        // baselines-dev8.json, jpeg q=5, appleflower.png: 3798 bytes for 768 x 512.
        assertEquals(0.0772705078125, Bpp.of(3798, 512, 768), 0);
    }

    @Test
    void rejectsEmptyImages() {
        assertThrows(IllegalArgumentException.class, () -> Bpp.of(1, 0, 5));
    }
}
