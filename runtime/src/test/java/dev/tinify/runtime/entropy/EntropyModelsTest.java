package dev.tinify.runtime.entropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.nn.ForwardScope;
import dev.tinify.runtime.nn.Module;
import org.junit.jupiter.api.Test;

/** Model-wide update and aux loss over a module tree (CompressAI's CompressionModel.update / aux_loss). */
class EntropyModelsTest {
    private static final class Root extends Module {
        final EntropyBottleneck eb;
        final GaussianConditional gc;

        Root(NDManager m) {
            eb = child("entropy_bottleneck", new EntropyBottleneck(m, 2));
            gc = child("gaussian_conditional", new GaussianConditional(m));
        }
    }

    @Test
    void updateAllComputesMissingTablesAndHonoursForce() {
        try (NDManager m = NDManager.newBaseManager()) {
            Root root = new Root(m);
            assertEquals(2, EntropyModels.find(root).size());
            assertTrue(EntropyModels.updateAll(root, false, false));
            assertTrue(root.eb.hasTables() && root.gc.hasTables());
            assertFalse(EntropyModels.updateAll(root, false, false), "nothing left to update");
            assertTrue(EntropyModels.updateAll(root, true, false));
        }
    }

    @Test
    void updateWithQuantilesTakesTheAuxLossToItsMinimum() {
        try (NDManager m = NDManager.newBaseManager()) {
            Root root = new Root(m);
            float before;
            try (ForwardScope s = ForwardScope.open(m, root)) {
                before = EntropyModels.auxLoss(root).getFloat();
            }
            assertTrue(EntropyModels.updateAll(root, true, true));
            try (ForwardScope s = ForwardScope.open(m, root)) {
                float after = EntropyModels.auxLoss(root).getFloat();
                // 2 channels x 3 quantiles, each solved to within the bisection tolerance
                assertTrue(after < 0.05f && after < before / 100, "aux loss " + before + " -> " + after);
            }
        }
    }

    @Test
    void auxLossSumsTheBottlenecks() {
        try (NDManager m = NDManager.newBaseManager()) {
            Root root = new Root(m);
            try (ForwardScope s = ForwardScope.open(m, root)) {
                float total = EntropyModels.auxLoss(root).getFloat();
                assertEquals(root.eb.loss().getFloat(), total, 0);
                assertTrue(total > 0);
            }
            assertNull(EntropyModels.auxLoss(new GaussianConditional(m)), "no bottleneck, no aux loss");
        }
    }
}
