package dev.tinify.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.dsl.SpecReader;
import dev.tinify.runtime.checkpoint.CheckpointException;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.compile.SpecCompiler;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The model's own contract: modes, update, aux loss, refused loads, memory. Small random models. */
class CompressionModelTest {

    private static CompressionModel hyperprior(int n, int m) {
        return SpecCompiler.compile(SpecReader.read(Path.of("..", "specs", "bmshj2018-hyperprior.yaml")), Map.of("N", n, "M", m));
    }

    @Test
    void trainingForwardGivesProbabilitiesAndEvaluationIsDeterministic() {
        Engine.getInstance().setRandomSeed(7);
        try (CompressionModel model = hyperprior(8, 12); NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomUniform(0f, 1f, new Shape(1, 3, 64, 64));
            model.train(true);
            CompressionModel.ForwardResult t = model.forward(x);
            assertArrayEquals(new long[] {1, 12, 4, 4}, t.y().getShape().getShape());
            assertArrayEquals(x.getShape().getShape(), t.xHat().getShape().getShape());
            assertEquals(List.of("y", "z"), List.copyOf(t.likelihoods().keySet()));
            for (NDArray l : t.likelihoods().values()) {
                assertTrue(l.min().getFloat() > 0f && l.max().getFloat() <= 1f, "likelihoods in (0, 1]");
            }
            model.train(false);
            float[] a = model.forward(x).xHat().toFloatArray();
            float[] b = model.forward(x).xHat().toFloatArray();
            assertArrayEquals(a, b, "evaluation mode rounds, so it repeats exactly");
        }
    }

    @Test
    void updateBuildsTablesOnceUnlessForced() {
        try (CompressionModel model = hyperprior(4, 6)) {
            assertTrue(model.update(false), "fresh entropy models have no tables");
            assertFalse(model.update(false), "tables exist");
            assertTrue(model.update(true), "forced");
        }
    }

    @Test
    void auxLossIsFiniteAndNonNegative() {
        try (CompressionModel model = hyperprior(4, 6); NDArray loss = model.auxLoss()) {
            float v = loss.getFloat();
            assertTrue(Float.isFinite(v) && v >= 0f, "aux loss " + v);
        }
    }

    @Test
    void partialStateDictIsRefusedAndNamesTheKey() throws IOException {
        ReferenceCase ref = ReferenceCase.fixture("bmshj2018-hyperprior");
        try (CompressionModel model = hyperprior(16, 24)) {
            Map<String, Tensor> partial = new LinkedHashMap<>(ref.stateDict());
            partial.remove("h_s.2.weight");
            float before = model.stateDict().get("g_a.0.weight").value().getFloat(0, 0, 0, 0);
            CheckpointException e = assertThrows(CheckpointException.class, () -> model.load(partial));
            assertTrue(e.getMessage().contains("h_s.2.weight"), e.getMessage());
            assertEquals(before, model.stateDict().get("g_a.0.weight").value().getFloat(0, 0, 0, 0), "nothing was loaded");
        }
    }

    @Test
    void resolvedParamsAndIdentity() {
        try (CompressionModel model = SpecCompiler.compile(SpecReader.read(Path.of("..", "specs", "elic2022-official.yaml")),
                Map.of("N", 8, "M", 16, "groups", List.of(4, 12)))) {
            assertEquals("elic2022-official", model.name());
            assertEquals(Map.of("N", 8L, "M", 16L), model.params());
            assertEquals(64, model.downsamplingFactor());
        }
    }

    @Test
    void repeatedForwardsLeaveTheManagersAsTheyWere() {
        try (CompressionModel model = hyperprior(4, 6); NDManager m = NDManager.newBaseManager()) {
            model.update(true);
            NDArray x = m.randomUniform(0f, 1f, new Shape(1, 3, 64, 64));
            int modelArrays = model.manager().getManagedArrays().size();
            for (int i = 0; i < 3; i++) {
                CompressionModel.ForwardResult r = model.forward(x);
                r.xHat().close();
                r.y().close();
                r.likelihoods().values().forEach(NDArray::close);
                CompressionModel.Compressed c = model.compress(x);
                model.decompress(m, c.strings(), c.shape()).close();
            }
            assertEquals(modelArrays, model.manager().getManagedArrays().size(), "model manager");
            assertEquals(1, m.getManagedArrays().size(), "caller manager holds only x");
        }
    }
}
