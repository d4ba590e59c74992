package dev.tinify.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.layers.Activation;
import dev.tinify.runtime.layers.Conv2d;
import dev.tinify.runtime.layers.Gdn;
import dev.tinify.runtime.layers.Sequential;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link PassThrough}: a stack of convolutions started so returns the leading channels of a non-negative input. */
class PassThroughTest {
    /** A model whose module "0" is CompressAI-style entropy parameters (1x1 convolutions, LeakyReLU) from 12 to 8 channels. */
    private static Sequential model(NDManager m) {
        return new Sequential(new Sequential(Conv2d.conv1x1(m, 12, 10), Activation.leakyRelu(), new Conv2d(m, 10, 9, 3, 1),
                Activation.leakyRelu(), Conv2d.conv1x1(m, 9, 8)));
    }

    @Test
    void leadingChannelsPassAndTheOthersStaySmall() {
        try (NDManager m = NDManager.newBaseManager()) {
            Sequential model = model(m);
            assertEquals(4, PassThrough.apply(model, "0", 4, new Random(7)));
            float[] x = new float[12 * 5 * 5];
            Random r = new Random(1);
            for (int i = 0; i < x.length; i++) {
                x[i] = 3 * r.nextFloat();
            }
            float[] y = model.get(0).forward(m.create(x, new Shape(1, 12, 5, 5))).toFloatArray();
            for (int c = 0; c < 8; c++) {
                for (int i = 0; i < 25; i++) {
                    float expected = c < 4 ? x[c * 25 + i] : 0;
                    assertEquals(expected, y[c * 25 + i], 0.1, "channel " + c + " at " + i);
                }
            }
            // exactly: the copies are ones at the kernel's centre, the biases zeros
            Conv2d wide = (Conv2d) ((Sequential) model.get(0)).get(2);
            float[] w = wide.weightValues();
            assertEquals(1f, w[(2 * 10 + 2) * 9 + 4]);
            assertTrue(Math.abs(w[(5 * 10 + 5) * 9 + 4]) < 0.01, "channel 5 is not copied");
            assertArrayEquals(new float[9], wide.bias().toFloatArray());
            assertEquals(8, PassThrough.apply(model, "0", 0, new Random(7)), "0: as many as the narrowest layer has");
        }
    }

    @Test
    void refusesOtherLayersAndLeavesTheModelAlone() {
        try (NDManager m = NDManager.newBaseManager()) {
            Sequential model = new Sequential(new Sequential(Conv2d.conv1x1(m, 4, 4), new Gdn(m, 4, false)),
                    new Sequential(new Conv2d(m, 4, 4, 3, 2)), model(m).get(0));
            float[] before = ((Conv2d) ((Sequential) model.get(0)).get(0)).weightValues();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PassThrough.apply(model, "0", 0, new Random(1)));
            assertTrue(e.getMessage().startsWith("cannot start '0' as a pass-through: found layer 1 Gdn"), e.getMessage());
            assertArrayEquals(before, ((Conv2d) ((Sequential) model.get(0)).get(0)).weightValues(), "unchanged");
            e = assertThrows(IllegalArgumentException.class, () -> PassThrough.apply(model, "1", 0, new Random(1)));
            assertTrue(e.getMessage().contains("layer 0 Conv2d(4→4, k3, s2, p1)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> PassThrough.apply(model, "2", 9, new Random(1)));
            assertEquals("cannot pass 9 channels through '2': its narrowest layer has 8 (give 1..8, or 0 for all of them)", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> PassThrough.apply(model, "3", 0, new Random(1)));
            assertTrue(e.getMessage().contains("no such top-level module (modules: 0, 1, 2)"), e.getMessage());
        }
    }
}
