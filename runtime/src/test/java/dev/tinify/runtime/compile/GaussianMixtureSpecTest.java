package dev.tinify.runtime.compile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.entropy.GaussianMixtureConditional;
import dev.tinify.runtime.model.CompressionModel;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The cheng2020-gmm spec builds a K=3 Gaussian mixture conditioned on the hyperprior: state-dict
 * names of a GaussianConditional, 9N mixture parameters, and a latent that round-trips exactly
 * through its bitstreams.
 */
class GaussianMixtureSpecTest {
    @Test
    void mixtureSpecCodesItsLatentExactly() {
        Engine.getInstance().setRandomSeed(11);
        try (CompressionModel model = SpecCompiler.compile(SpecFixtures.spec("cheng2020-gmm"), Map.of("N", 8));
                NDManager m = NDManager.newBaseManager()) {
            assertTrue(model.stateDict().containsKey("gaussian_conditional.scale_table"), model.stateDict().keySet().toString());
            assertEquals(new Shape(72, 48, 1, 1), model.stateDict().get("entropy_parameters.4.weight").value().getShape());
            model.train(false);
            model.update(true);
            NDArray x = m.randomUniform(0f, 1f, new Shape(1, 3, 128, 128));
            CompressionModel.ForwardResult f = model.forward(x);
            assertEquals(f.y().getShape(), f.likelihoods().get("y").getShape());
            NDArray y = f.y().mul(20f); // an untrained g_a gives small latents; spread them over many symbols
            LatentCodec.CompressOut c = model.latentCodec().compress(y, null);
            NDArray decoded = model.latentCodec().decompress(m, c.strings(), c.shape(), null);
            assertArrayEquals(y.round().toType(DataType.INT32, false).toIntArray(), decoded.toType(DataType.INT32, false).toIntArray(),
                    "exact latent round trip");
            int absMax = GaussianMixtureConditional.Compressed.unpack(c.strings().get(0).get(0), 8).absMax();
            assertTrue(absMax > 2, "the test codes more than a few symbols: abs_max " + absMax);
        }
    }
}
