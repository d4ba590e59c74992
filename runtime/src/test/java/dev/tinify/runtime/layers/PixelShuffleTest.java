package dev.tinify.runtime.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** PixelShuffle against its definition: out[n, c, h·r + i, w·r + j] = in[n, c·r² + i·r + j, h, w]. */
class PixelShuffleTest {

    @ParameterizedTest(name = "r={0} C={1} {2}x{3}")
    @CsvSource({"2, 3, 4, 5", "3, 2, 2, 3", "1, 4, 3, 3"})
    void matchesDefinition(int r, int c, int h, int w) {
        int n = 2;
        int cin = c * r * r;
        float[] in = new float[n * cin * h * w];
        for (int i = 0; i < in.length; i++) {
            in[i] = i;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            PixelShuffle ps = new PixelShuffle(r);
            NDArray y = ps.forward(m.create(in, new Shape(n, cin, h, w)));
            assertArrayEquals(new long[] {n, c, (long) h * r, (long) w * r}, y.getShape().getShape());
            float[] out = y.toFloatArray();
            int ho = h * r;
            int wo = w * r;
            for (int b = 0; b < n; b++) {
                for (int ch = 0; ch < c; ch++) {
                    for (int yy = 0; yy < ho; yy++) {
                        for (int xx = 0; xx < wo; xx++) {
                            int src = ((b * cin + ch * r * r + (yy % r) * r + xx % r) * h + yy / r) * w + xx / r;
                            assertEquals(in[src], out[((b * c + ch) * ho + yy) * wo + xx]);
                        }
                    }
                }
            }
            assertEquals(c, ps.outChannels(cin));
            assertEquals(r, ps.upsampling());
        }
    }

    @ParameterizedTest
    @CsvSource({"2, 6"})
    void rejectsIndivisibleChannels(int r, int c) {
        PixelShuffle ps = new PixelShuffle(r);
        assertThrows(IllegalArgumentException.class, () -> ps.outChannels(c));
    }
}
