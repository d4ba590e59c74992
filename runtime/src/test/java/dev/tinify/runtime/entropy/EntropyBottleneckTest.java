package dev.tinify.runtime.entropy;

import static dev.tinify.runtime.entropy.Fixtures.array;
import static dev.tinify.runtime.entropy.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** EntropyBottleneck against CompressAI's unit fixtures (perturbed and default-initialised). */
class EntropyBottleneckTest {
    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** A fresh bottleneck with the fixture's parameters (tables not loaded). */
    private static EntropyBottleneck fromFixture(ReferenceCase c) throws IOException {
        EntropyBottleneck eb = new EntropyBottleneck(manager, 8);
        Map<String, Tensor> sd = c.stateDict();
        for (var e : eb.stateDict().entrySet()) {
            String k = e.getKey();
            if (!k.startsWith("_")) {
                e.getValue().set(array(manager, sd.get(k)));
            }
        }
        eb.train(false);
        return eb;
    }

    @ParameterizedTest
    @ValueSource(strings = {"unit-entropy-bottleneck", "unit-entropy-bottleneck-default"})
    void stateDictKeysAreCompressAis(String name) throws IOException {
        ReferenceCase c = ReferenceCase.fixture(name);
        List<String> expected = c.stateDict().keySet().stream().toList();
        assertEquals(expected, List.copyOf(new EntropyBottleneck(manager, 8).stateDict().keySet()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"unit-entropy-bottleneck", "unit-entropy-bottleneck-default"})
    void updateRecomputesTheTablesExactly(String name) throws IOException {
        ReferenceCase c = ReferenceCase.fixture(name);
        EntropyBottleneck eb = fromFixture(c);
        assertFalse(eb.hasTables());
        assertTrue(eb.update(false));
        Fixtures.assertTablesEqual(c.stateDict(), "", eb);
        assertFalse(eb.update(false), "existing tables are kept without force");
        assertTrue(eb.update(true));
    }

    @ParameterizedTest
    @ValueSource(strings = {"unit-entropy-bottleneck", "unit-entropy-bottleneck-default"})
    void logitsAtQuantilesMatch(String name) throws IOException {
        ReferenceCase c = ReferenceCase.fixture(name);
        EntropyBottleneck eb = fromFixture(c);
        try (NDManager sub = manager.newSubManager()) {
            NDArray q = array(sub, c.stateDict().get("quantiles"));
            assertClose(c.tensor("logits_cumulative_at_quantiles"), eb.logitsCumulative(q, true), 1e-4, "logits");
            assertClose(c.tensor("medians"), eb.medians().reshape(-1), 0, "medians");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"unit-entropy-bottleneck", "unit-entropy-bottleneck-default"})
    void evalForwardMatches(String name) throws IOException {
        ReferenceCase c = ReferenceCase.fixture(name);
        EntropyBottleneck eb = fromFixture(c);
        try (NDManager sub = manager.newSubManager()) {
            EntropyModel.Output out = eb.forward(array(sub, c.tensor("x")));
            assertClose(c.tensor("forward.x_hat"), out.values(), 0, "x_hat");
            assertClose(c.tensor("forward.likelihoods"), out.likelihoods(), 1e-6, "likelihoods");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"unit-entropy-bottleneck", "unit-entropy-bottleneck-default"})
    void compressAndDecompressMatch(String name) throws IOException {
        ReferenceCase c = ReferenceCase.fixture(name);
        EntropyBottleneck eb = fromFixture(c);
        eb.update(false);
        Fixtures.RecordingCoder coder = new Fixtures.RecordingCoder();
        eb.setEntropyCoder(coder);
        try (NDManager sub = manager.newSubManager()) {
            NDArray x = array(sub, c.tensor("x"));
            List<byte[]> strings = eb.compress(x);
            assertEquals(1, coder.symbols.size());
            assertArrayEquals(c.tensor("compress.symbols").toInts(), coder.symbols.get(0), "symbols");
            assertArrayEquals(c.tensor("compress.indexes").toInts(), coder.indexes.get(0), "indexes");
            JsonNode expected = c.meta().path("compress").path("strings");
            assertEquals(1, strings.size());
            assertArrayEquals(Base64.getDecoder().decode(expected.get(0).asText()), strings.get(0), "string");
            NDArray xHat = eb.decompress(sub, strings, List.of(6, 10));
            assertClose(c.tensor("decompress.x_hat"), xHat, 0, "decompress x_hat");
        }
    }

    @Test
    void compressBeforeUpdateSaysSo() throws IOException {
        EntropyBottleneck eb = new EntropyBottleneck(manager, 8);
        try (NDManager sub = manager.newSubManager()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> eb.compress(sub.zeros(new Shape(1, 8, 2, 2))));
            assertTrue(e.getMessage().contains("EntropyBottleneck(8 channels)"), e.getMessage());
            assertTrue(e.getMessage().contains("Run update() first"), e.getMessage());
        }
    }

    @Test
    void nonFiniteInputIsAClearError() throws IOException {
        EntropyBottleneck eb = fromFixture(ReferenceCase.fixture("unit-entropy-bottleneck"));
        eb.update(false);
        try (NDManager sub = manager.newSubManager()) {
            NDArray x = sub.zeros(new Shape(1, 8, 2, 2));
            x.set(new ai.djl.ndarray.index.NDIndex("0, 3, 1, 1"), Float.NaN);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> eb.compress(x));
            assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
        }
    }

    @Test
    void wrongChannelCountIsAClearError() {
        EntropyBottleneck eb = new EntropyBottleneck(manager, 8);
        try (NDManager sub = manager.newSubManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> eb.forward(sub.zeros(new Shape(1, 3, 2, 2))));
            assertTrue(e.getMessage().contains("[B, 8, ...]"), e.getMessage());
        }
    }

    @Test
    void bisectionRecoversTheFixtureQuantiles() throws IOException {
        ReferenceCase c = ReferenceCase.fixture("unit-entropy-bottleneck");
        EntropyBottleneck eb = fromFixture(c);
        // start from the default quantiles so that the bisection has to find them
        eb.stateDict().get("quantiles").set(manager.create(
                new float[] {-10, 0, 10, -10, 0, 10, -10, 0, 10, -10, 0, 10, -10, 0, 10, -10, 0, 10, -10, 0, 10, -10, 0, 10},
                new Shape(8, 1, 3)));
        assertTrue(eb.update(true, true));
        float[] expected = c.stateDict().get("quantiles").toFloats();
        float[] actual = eb.stateDict().get("quantiles").value().toFloatArray();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 2e-3 + 2e-4 * Math.abs(expected[i]), "quantile " + i);
        }
        Fixtures.assertTablesEqual(c.stateDict(), "", eb);
    }
}
