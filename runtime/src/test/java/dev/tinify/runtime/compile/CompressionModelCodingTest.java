package dev.tinify.runtime.compile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compiled models code CompressAI's bitstreams: compress on the fixture input gives the
 * fixture's strings and shape byte for byte, and decompress of those strings gives CompressAI's
 * clamped reconstruction.
 */
class CompressionModelCodingTest {

    @ParameterizedTest
    @ValueSource(strings = {"bmshj2018-factorized", "bmshj2018-factorized-relu", "bmshj2018-hyperprior", "mbt2018-mean", "mbt2018",
            "cheng2020-anchor", "cheng2020-attn", "cheng2020-anchor-checkerboard", "elic2022-official", "elic2022-chandelier"})
    void compressAndDecompressMatchCompressAi(String name) throws IOException {
        ReferenceCase ref = ReferenceCase.fixture(name);
        try (CompressionModel model = SpecCompiler.compile(SpecFixtures.spec(name), SpecFixtures.overrides(ref));
             NDManager m = NDManager.newBaseManager()) {
            model.load(ref.stateDict());
            NDArray x = SpecCompilerTest.array(m, ref.tensor("x"));
            CompressionModel.Compressed c = model.compress(x);
            List<List<byte[]>> expected = ref.compressStrings();
            assertEquals(expected.size(), c.strings().size(), "number of streams");
            for (int s = 0; s < expected.size(); s++) {
                assertEquals(expected.get(s).size(), c.strings().get(s).size());
                for (int b = 0; b < expected.get(s).size(); b++) {
                    assertArrayEquals(expected.get(s).get(b), c.strings().get(s).get(b), "stream " + s + " item " + b);
                }
            }
            assertEquals(ref.compressShape(), c.shape());

            NDArray xHat = model.decompress(m, expected, ref.compressShape());
            SpecCompilerTest.close(xHat, ref.tensor("decompress.x_hat"), "decompress.x_hat");
            assertTrue(xHat.min().getFloat() >= 0f && xHat.max().getFloat() <= 1f, "clamped to [0, 1]");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bmshj2018-hyperprior"})
    void compressRefusesSizesThatAreNotMultiplesOfTheFactor(String name) {
        try (CompressionModel model = SpecCompiler.compile(SpecFixtures.spec(name), java.util.Map.of("N", 8, "M", 8));
             NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.compress(m.zeros(new ai.djl.ndarray.types.Shape(1, 3, 64, 96))));
            assertTrue(e.getMessage().contains("divisible by 64"), e.getMessage());
        }
    }
}
