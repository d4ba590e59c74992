package dev.tinify.runtime.entropy;

import static dev.tinify.runtime.entropy.Fixtures.array;
import static dev.tinify.runtime.entropy.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GaussianConditional against CompressAI's unit fixture (default scale table). */
class GaussianConditionalTest {
    private static NDManager manager;
    private static ReferenceCase c;
    private static GaussianConditional gc;

    @BeforeAll
    static void open() throws IOException {
        manager = NDManager.newBaseManager();
        c = ReferenceCase.fixture("unit-gaussian-conditional");
        gc = new GaussianConditional(manager);
        gc.train(false);
        gc.update(false);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void stateDictKeysAreCompressAis() throws IOException {
        assertEquals(List.copyOf(c.stateDict().keySet()), List.copyOf(gc.stateDict().keySet()));
    }

    @Test
    void defaultScaleTableIsBitExact() throws IOException {
        assertArrayEquals(c.stateDict().get("scale_table").toFloats(), gc.scaleTable());
        assertArrayEquals(c.tensor("scale_table").toFloats(), GaussianConditional.defaultScaleTable());
    }

    @Test
    void defaultScaleTableIsLogSpacedFrom011To256() {
        float[] t = GaussianConditional.defaultScaleTable();
        assertEquals(64, t.length);
        double a = Math.log(0.11);
        double b = Math.log(256);
        for (int k = 0; k < t.length; k++) {
            double exact = Math.exp(a + (b - a) * k / 63);
            // float32 linspace in the log domain: a few ulps of log(256) in relative terms
            assertEquals(exact, t[k], 2e-6 * exact, "entry " + k);
        }
    }

    @Test
    void tablesMatchForAllScales() throws IOException {
        Fixtures.assertTablesEqual(c.stateDict(), "", gc);
        assertFalse(gc.update(false));
    }

    @Test
    void updateScaleTableReplacesTheTables() {
        try (NDManager sub = manager.newSubManager()) {
            GaussianConditional small = new GaussianConditional(sub, new float[] {0.5f, 1f, 2f}, 0.11, 1e-9);
            assertFalse(small.hasTables());
            assertTrue(small.update(false));
            assertEquals(3, small.cdfTables().size());
            assertFalse(small.updateScaleTable(new float[] {1f, 3f}, false), "tables exist and no force");
            assertTrue(small.updateScaleTable(new float[] {1f, 3f}, true));
            assertEquals(2, small.cdfTables().size());
            // center = ceil(3 * 6.1094...) = 19: 39 symbols plus escape
            assertEquals(-19, small.cdfTables().offsets()[1]);
            assertEquals(41, small.cdfTables().cdfLengths()[1]);
            assertThrows(IllegalArgumentException.class, () -> small.updateScaleTable(new float[] {2f, 1f}, true));
        }
    }

    @Test
    void buildIndexesMatchIncludingSpecialScales() {
        try (NDManager sub = manager.newSubManager()) {
            Fixtures.assertIntsEqual(c.tensor("build_indexes"), gc.buildIndexes(array(sub, c.tensor("scales"))), "indexes");
        }
    }

    @Test
    void evalForwardMatches() {
        try (NDManager sub = manager.newSubManager()) {
            EntropyModel.Output out = gc.forward(array(sub, c.tensor("x")), array(sub, c.tensor("scales")),
                    array(sub, c.tensor("means")));
            assertClose(c.tensor("forward.y_hat"), out.values(), 0, "y_hat");
            assertClose(c.tensor("forward.likelihoods"), out.likelihoods(), 1e-6, "likelihoods");
        }
    }

    private void checkCoding(String stringsKey, @Nullable String meansKey, String decodedKey) {
        Fixtures.RecordingCoder coder = new Fixtures.RecordingCoder();
        gc.setEntropyCoder(coder);
        try (NDManager sub = manager.newSubManager()) {
            NDArray x = array(sub, c.tensor("x"));
            NDArray indexes = gc.buildIndexes(array(sub, c.tensor("scales")));
            NDArray means = meansKey == null ? null : array(sub, c.tensor(meansKey));
            List<byte[]> strings = gc.compress(x, indexes, means);
            JsonNode expected = c.meta().path(stringsKey).path("strings");
            assertEquals(expected.size(), strings.size(), "one string per batch item");
            for (int b = 0; b < strings.size(); b++) {
                assertArrayEquals(Base64.getDecoder().decode(expected.get(b).asText()), strings.get(b), "string " + b);
            }
            if (meansKey != null) {
                int[] all = c.tensor("compress.symbols").toInts();
                int per = all.length / 2;
                assertArrayEquals(java.util.Arrays.copyOfRange(all, 0, per), coder.symbols.get(0), "symbols item 0");
                assertArrayEquals(java.util.Arrays.copyOfRange(all, per, 2 * per), coder.symbols.get(1), "symbols item 1");
            }
            assertClose(c.tensor(decodedKey), gc.decompress(strings, indexes, means), 0, decodedKey);
        } finally {
            gc.setEntropyCoder(null);
        }
    }

    @Test
    void compressWithMeansMatches() {
        checkCoding("compress_with_means", "means", "decompress.x_hat");
    }

    @Test
    void compressWithoutMeansMatches() {
        checkCoding("compress_without_means", null, "decompress_nomeans.x_hat");
    }

    @Test
    void likelihoodsOfTheIntegerGridSumToOne() {
        try (NDManager sub = manager.newSubManager()) {
            float[] v = new float[401];
            for (int i = 0; i < v.length; i++) {
                v[i] = i - 200;
            }
            for (float s : new float[] {0.05f, 0.3f, 2.5f, 17f}) {
                NDArray x = sub.create(v);
                NDArray lik = gc.likelihood(x, sub.full(x.getShape(), s), sub.full(x.getShape(), 0.37f));
                assertEquals(1.0, lik.sum().getFloat(), 2e-5, "scale " + s);
            }
        }
    }

    @Test
    void trainingForwardAddsBoundedNoiseAndHasGradients() {
        try (NDManager sub = manager.newSubManager()) {
            NDArray x = sub.randomNormal(0, 3, new Shape(2, 4, 8, 8), ai.djl.ndarray.types.DataType.FLOAT32);
            NDArray scales = sub.randomUniform(0.2f, 5f, x.getShape());
            scales.setRequiresGradient(true);
            EntropyModel.Output out;
            try (GradientCollector g = Engine.getInstance().newGradientCollector()) {
                out = gc.forward(x, scales, null, true);
                g.backward(out.likelihoods().log().neg().sum());
            }
            float[] noise = Fixtures.range(out.values().sub(x).toFloatArray());
            float min = noise[0];
            float max = noise[1];
            assertTrue(min >= -0.5f && max <= 0.5f, "noise in [-0.5, 0.5]: " + min + ".." + max);
            assertTrue(max - min > 0.9f, "noise spans the bin: " + min + ".." + max);
            NDArray grad = scales.getGradient();
            assertNotNull(grad);
            assertFalse(grad.isNaN().any().getBoolean());
            assertTrue(grad.abs().sum().getFloat() > 0);
        }
    }

    @Test
    void mismatchedShapesAreAClearError() {
        try (NDManager sub = manager.newSubManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> gc.forward(sub.zeros(new Shape(1, 2, 3, 3)), sub.ones(new Shape(1, 2, 3, 4)), null));
            assertTrue(e.getMessage().contains("GaussianConditional(64 scales)"), e.getMessage());
        }
    }
}
