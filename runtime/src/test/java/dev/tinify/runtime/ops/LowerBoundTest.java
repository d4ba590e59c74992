package dev.tinify.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** CompressAI's LowerBound: forward max(x, bound); gradient passes where x >= bound or the gradient is negative. */
class LowerBoundTest {

    @Test
    void forwardIsMaximumWithTheBound() {
        try (NDManager m = NDManager.newBaseManager()) {
            LowerBound lb = new LowerBound(m, 1.0);
            assertArrayEquals(new float[] {1, 1, 2}, lb.forward(m.create(new float[] {-3, 0.5f, 2})).toFloatArray());
            assertArrayEquals(new float[] {1}, lb.bound().toFloatArray());
        }
    }

    /**
     * Loss sum(c · lowerBound(x)) with x = [0.5, 0.5, 2], bound 1, c = [1, -1, 1]: the first entry is
     * below the bound with a positive gradient (blocked), the second below with a negative one
     * (passed), the third above (passed), so the gradient is [0, -1, 1].
     */
    @Test
    void leafGradientFollowsCompressAisRule() {
        try (NDManager m = NDManager.newBaseManager()) {
            LowerBound lb = new LowerBound(m, 1.0);
            NDArray x = m.create(new float[] {0.5f, 0.5f, 2});
            x.setRequiresGradient(true);
            NDArray c = m.create(new float[] {1, -1, 1});
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = lb.forward(x);
                assertArrayEquals(new float[] {1, 1, 2}, y.toFloatArray());
                gc.backward(y.mul(c).sum());
            }
            assertArrayEquals(new float[] {1, -1, 1}, x.getGradient().toFloatArray(), "identity gradient before the fix-up");
            lb.maskGradient(x);
            assertArrayEquals(new float[] {0, -1, 1}, x.getGradient().toFloatArray());
        }
    }

    @Test
    void maskingWithoutGradientIsANoOp() {
        try (NDManager m = NDManager.newBaseManager()) {
            LowerBound lb = new LowerBound(m, 1.0);
            NDArray x = m.create(new float[] {0.5f});
            lb.maskGradient(x);
            assertFalse(x.hasGradient());
        }
    }
}
