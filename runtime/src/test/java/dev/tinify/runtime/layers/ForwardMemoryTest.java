package dev.tinify.runtime.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.tinify.runtime.nn.ForwardScope;
import org.junit.jupiter.api.Test;

/**
 * Forward passes release their intermediates as they go and leave nothing in the model's
 * manager: in a {@link ForwardScope} with the input attached, the only array a forward adds to
 * the scope is its output, and the caller's manager holds as many arrays after each pass as
 * before.
 */
class ForwardMemoryTest {

    @Test
    void chengSynthesisLeavesOnlyItsOutput() {
        Engine.getInstance().setRandomSeed(1);
        try (NDManager m = NDManager.newBaseManager()) {
            assertReleasesIn(m, ReferenceArchitectures.chengGs(m, 8), 1, 8, 3, 4);
        }
    }

    @Test
    void hyperpriorSynthesisLeavesOnlyItsOutput() {
        Engine.getInstance().setRandomSeed(2);
        try (NDManager m = NDManager.newBaseManager()) {
            assertReleasesIn(m, ReferenceArchitectures.hyperpriorGs(m, 8, 12), 1, 12, 3, 4);
        }
    }

    @Test
    void elicAnalysisLeavesOnlyItsOutput() {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager m = NDManager.newBaseManager()) {
            assertReleasesIn(m, ReferenceArchitectures.elicGa(m, 8, 16), 1, 3, 32, 32);
        }
    }

    private static void assertReleasesIn(NDManager m, Sequential net, long... inputShape) {
        NDArray x = TestTensors.uniform(m, 1, DataType.FLOAT32, inputShape);
        int callerArrays = m.getManagedArrays().size();
        for (int i = 0; i < 3; i++) {
            try (ForwardScope s = ForwardScope.open(m, net)) {
                s.input(x);
                int before = s.manager().getManagedArrays().size();
                NDArray y = net.forward(x);
                int live = s.manager().getManagedArrays().size() - before;
                assertEquals(1, live, "arrays left in the scope besides the output, forward " + i);
                assertTrue(y.getShape().size() > 0);
            }
            assertEquals(callerArrays, m.getManagedArrays().size(), "arrays in the model's manager after forward " + i);
        }
    }
}
