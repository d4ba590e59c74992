package dev.tinify.vbr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.Tinify;
import dev.tinify.check.ModelChecks;
import dev.tinify.runtime.codecs.vbr.Rate;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The asymmetric-gain hyperprior (gain_hyperprior around gain_hyper): larger gains code more
 * bytes, a fractional level lands between its two levels, every rate decodes deterministically
 * from the strings and the rate alone, and a scale is refused (its rates are levels).
 */
class GainHyperpriorTest {
    @Test
    void gainLevelsOrderTheRateAndDecode() throws IOException {
        Engine.getInstance().setRandomSeed(7);
        ReferenceCase ref = ReferenceCase.open(ReferenceCase.sharedDir().resolve("fixtures").resolve("mbt2018-mean"));
        try (CompressionModel model = Tinify.build("cui2021-gain-hyperprior", Map.of("N", 16, "M", 24, "levels", 4));
                NDManager m = model.manager().newSubManager()) {
            assertTrue(model.variableRate());
            assertEquals(4, model.rateLevels());
            float[] yGain = new float[4 * 24];
            float[] yGainInv = new float[4 * 24];
            for (int l = 0; l < 4; l++) {
                for (int c = 0; c < 24; c++) {
                    yGain[l * 24 + c] = (float) (Math.pow(2, l) * (1 + 0.01 * c));
                    yGainInv[l * 24 + c] = 1 / yGain[l * 24 + c];
                }
            }
            model.stateDict().get("y_gain").set(model.manager().create(yGain, new Shape(4, 24)));
            model.stateDict().get("y_gain_inv").set(model.manager().create(yGainInv, new Shape(4, 24)));
            model.update(true);
            model.train(false);
            NDArray x = ModelChecks.toArray(m, ref.tensor("x"));
            int[] bytes = new int[3];
            List<Rate> rates = List.of(Rate.level(1), Rate.position(1.5), Rate.level(2));
            for (int i = 0; i < rates.size(); i++) {
                CompressionModel.Compressed c = model.compress(x, rates.get(i));
                bytes[i] = c.strings().stream().mapToInt(s -> s.get(0).length).sum();
                float[] once = model.decompress(m, c.strings(), c.shape(), rates.get(i)).toFloatArray();
                float[] twice = model.decompress(m, c.strings(), c.shape(), rates.get(i)).toFloatArray();
                assertArrayEquals(once, twice);
                assertEquals(3 * 64 * 128, once.length);
            }
            assertTrue(bytes[0] < bytes[1] && bytes[1] < bytes[2], "bytes at levels 1, 1.5, 2: " + java.util.Arrays.toString(bytes));
            assertThrows(IllegalArgumentException.class, () -> model.compress(x, Rate.scale(0.5)));
            assertThrows(IllegalArgumentException.class, () -> model.compress(x, Rate.position(3.5)));
        }
    }
}
