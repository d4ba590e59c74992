package dev.tinify.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.compile.SpecCompiler;
import dev.tinify.runtime.model.CompressionModel;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A latent codec whose parts are top-level modules is no child of its model, yet it must quantize
 * as the model's mode says: noise while training (else {@code g_s} sees rounded latents and
 * {@code g_a} gets no distortion gradient), rounding in evaluation.
 */
class CodecTrainingModeTest {
    private static int nonIntegers(float[] v) {
        int n = 0;
        for (float f : v) {
            n += f != Math.rint(f) ? 1 : 0;
        }
        return n;
    }

    @ParameterizedTest
    @ValueSource(strings = {"mbt2018", "hyperprior-context", "mbt2018-mean-vbr"})
    void theCodecTreeFollowsTheModelsMode(String spec) {
        Engine.getInstance().setRandomSeed(4);
        try (CompressionModel model = SpecCompiler.compile(TrainFixtures.spec(spec), Map.of("N", 16, "M", 16));
                NDManager m = NDManager.newBaseManager()) {
            m.tempAttachAll(model.arrays());
            NDArray y = m.randomNormal(new Shape(1, 16, 4, 4)).mul(3f);
            model.train(true);
            float[] noisy = model.latentCodec().forward(y, null).yHat().toFloatArray();
            assertEquals(noisy.length, nonIntegers(noisy), spec + ": training y_hat must be y plus noise");
            assertFalse(Arrays.equals(noisy, model.latentCodec().forward(y, null).yHat().toFloatArray()), spec + ": fresh noise each pass");
            model.train(false);
            float[] rounded = model.latentCodec().forward(y, null).yHat().toFloatArray();
            assertArrayEquals(rounded, model.latentCodec().forward(y, null).yHat().toFloatArray(), spec + ": evaluation is deterministic");
        }
    }
}
