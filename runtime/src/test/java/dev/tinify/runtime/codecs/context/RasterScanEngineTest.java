package dev.tinify.runtime.codecs.context;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The plain-Java raster-scan engine against CompressAI's autoregressive models, from stored tensors. */
class RasterScanEngineTest {

    private record Case(ReferenceCase ref, RasterScanEngine engine, int h, int w, float[] y, float[] params) {
        static Case of(String name) throws IOException {
            ReferenceCase ref = ReferenceCase.fixture(name);
            long[] s = ref.tensor("y").shape();
            return new Case(ref, ContextFixtures.classicEngine(ref), (int) s[2], (int) s[3],
                    ref.tensor("y").toFloats(), ref.tensor("forward.h_s.out").toFloats());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mbt2018", "cheng2020-anchor", "cheng2020-attn"})
    void encodeGivesCompressAiSymbolsAndIndexes(String name) throws IOException {
        Case c = Case.of(name);
        RasterScanEngine.Encoded e = c.engine.encode(c.y, c.params, c.h, c.w);
        assertArrayEquals(c.ref.tensor("compress.coder.1.indexes").toInts(), e.indexes(), name + " indexes");
        assertArrayEquals(c.ref.tensor("compress.coder.1.symbols").toInts(), e.symbols(), name + " symbols");
        // the decoder's latent (input of g_s) is CompressAI's y_hat
        float[] expected = c.ref.tensor("decompress.g_s.in").toFloats();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], e.yHat()[i], 1e-4, name + " y_hat[" + i + "]");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mbt2018", "cheng2020-anchor", "cheng2020-attn"})
    void decodeReproducesEncodeExactly(String name) throws IOException {
        Case c = Case.of(name);
        RasterScanEngine.Encoded e = c.engine.encode(c.y, c.params, c.h, c.w);
        int ch = c.engine.channels();
        int[] next = {0};
        float[] yHat = c.engine.decode(c.params, c.h, c.w, indexes -> {
            int from = next[0];
            assertArrayEquals(Arrays.copyOfRange(e.indexes(), from, from + ch), indexes, "indexes at symbol " + from);
            next[0] += ch;
            return Arrays.copyOfRange(e.symbols(), from, from + ch);
        });
        assertEquals(e.symbols().length, next[0]);
        assertArrayEquals(e.yHat(), yHat);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mbt2018", "cheng2020-anchor"})
    void incrementalContextEqualsFullMaskedConvolution(String name) throws IOException {
        Case c = Case.of(name);
        // forward() runs the context model as one full-image masked convolution over round(y)
        float[] in = c.ref.tensor("forward.context_prediction.in").toFloats();
        float[] expected = c.ref.tensor("forward.context_prediction.out").toFloats();
        float[] actual = c.engine.contextOf(in, c.h, c.w);
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 * Math.max(1, Math.abs(expected[i])), name + " context[" + i + "]");
        }
    }
}
