package dev.tinify.runtime.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** nn.GroupNorm's definition on values worked by hand. */
class GroupNormTest {
    @Test
    void eachGroupOfEachItemIsNormalizedThenScaledPerChannel() {
        try (NDManager m = NDManager.newBaseManager()) {
            GroupNorm g = new GroupNorm(m, 2, 4);
            g.stateDict().get("weight").set(m.create(new float[] {1, 2, 3, 4}));
            g.stateDict().get("bias").set(m.create(new float[] {0, 0, 1, -1}));
            // One item, 4 channels, 2 points: group 0 is channels 0-1 = {1, 3, 5, 7} (mean 4, variance 5),
            // group 1 is channels 2-3 = {2, 2, 2, 2} (variance 0: every value maps to 0, then to the bias).
            float[] x = {1, 3, 5, 7, 2, 2, 2, 2};
            float[] y = g.forward(m.create(x, new Shape(1, 4, 2))).toFloatArray();
            double s = Math.sqrt(5 + 1e-5);
            float[] expected = {(float) (-3 / s), (float) (-1 / s), (float) (2 * 1 / s), (float) (2 * 3 / s), 1, 1, -1, -1};
            assertArrayEquals(expected, y, 1e-6f);
        }
    }

    @Test
    void groupsMustDivideTheChannelsAndTheInputMustHaveThem() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThrows(IllegalArgumentException.class, () -> new GroupNorm(m, 3, 4));
            GroupNorm g = new GroupNorm(m, 2, 4);
            assertThrows(LayerInputException.class, () -> g.forward(m.zeros(new Shape(1, 6, 2))));
        }
    }
}
