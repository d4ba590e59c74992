package dev.tinify.runtime.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.dsl.Location;
import dev.tinify.dsl.Spec;
import dev.tinify.dsl.SpecException;
import dev.tinify.dsl.SpecReader;
import dev.tinify.runtime.model.CompressionModel;
import org.junit.jupiter.api.Test;

/** What the compiler refuses, located in the spec. */
class SpecCompilerErrorsTest {
    private static final String HEAD = String.join("\n",
            "tinify: 1",                          // 1
            "name: t",                            // 2
            "params: {N: 4, M: 6}",               // 3
            "modules:",                           // 4
            "  g_a: [conv(3, M, 5, 2)]",          // 5
            "  g_s: [deconv(M, 3, 5, 2)]",        // 6
            "");

    @Test
    void mixingReferencesAndInlinePartsIsRefused() {
        Spec spec = SpecReader.read("t.yaml", HEAD + String.join("\n",
                "  h_a: [conv(M, N, 3, 1)]",                 // 7
                "latent_codec:",                             // 8
                "  hyperprior:",                             // 9
                "    y: gaussian_conditional(chunks=[scales])",
                "    hyper: hyper(entropy_bottleneck(N), $h_a, [conv(N, M, 3, 1)])",  // 11
                ""));
        SpecException e = assertThrows(SpecException.class, () -> SpecCompiler.compile(spec));
        assertEquals(new Location("t.yaml", 11, 12), e.location(), e.getMessage());
        assertEquals("latent_codec.hyper", e.path());
        assertTrue(e.problem().contains("mixes $references with parts written inline"), e.getMessage());
        assertTrue(e.expected().contains("all parts of a latent codec tree inline"), e.getMessage());
    }

    @Test
    void entropyModelWhereALayerBelongsIsRefused() {
        Spec spec = SpecReader.read("t.yaml", HEAD + String.join("\n",
                "  eb: entropy_bottleneck(M)",               // 7
                "latent_codec: gaussian_conditional($eb)",   // 8
                ""));
        SpecException e = assertThrows(SpecException.class, () -> SpecCompiler.compile(spec));
        assertEquals("eb", e.path());
        assertEquals(new Location("t.yaml", 7, 3), e.location(), e.getMessage());
        assertTrue(e.problem().contains("$eb is entropy_bottleneck"), e.getMessage());
        assertEquals("a gaussian_conditional", e.expected(), e.getMessage());
    }

    /** A checkerboard codec whose entropy parameters are fed 4M channels; line 12 is {@code entropyParameters}. */
    private static Spec checkerboard(String entropyParameters) {
        return SpecReader.read("t.yaml", HEAD + String.join("\n",
                "latent_codec:",                                                      // 7
                "  hyperprior:",                                                      // 8
                "    y:",                                                             // 9
                "      checkerboard:",                                                // 10
                "        y: gaussian_conditional",                                    // 11
                "        entropy_parameters: " + entropyParameters,                   // 12
                "        context_prediction: checkerboard_masked_conv(M, M*2, 5, padding=2)",
                "    hyper:",
                "      hyper:",
                "        entropy_bottleneck: entropy_bottleneck(N)",
                "        h_a: [conv(M, N, 3, 1)]",
                "        h_s: [conv(N, M*2, 3, 1)]",
                ""));
    }

    @Test
    void layerFedOtherChannelsInsideACodecIsLocatedWhenTheModelRuns() {
        try (CompressionModel model = SpecCompiler.compile(checkerboard("[conv2d(M*3, M*2, 1)]"));
             NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomUniform(0f, 1f, new Shape(1, 3, 16, 16));
            SpecException e = assertThrows(SpecException.class, () -> model.forward(x));
            assertEquals(new Location("t.yaml", 12, 30), e.location(), e.getMessage());
            assertEquals("latent_codec.y.entropy_parameters[0]", e.path());
            assertTrue(e.problem().contains("expects 18 input channels, got 24"), e.getMessage());
            assertEquals("in_channels 24 here, what the layer is fed", e.expected());
            model.update(true);
            SpecException again = assertThrows(SpecException.class, () -> model.compress(x));
            assertEquals(e.getMessage(), again.getMessage());
        }
    }

    @Test
    void layerInsideACompositeLayerIsLocatedAtTheComposite() {
        try (CompressionModel model = SpecCompiler.compile(checkerboard("[residual_block(M*3, M*2)]"));
             NDManager m = NDManager.newBaseManager()) {
            SpecException e = assertThrows(SpecException.class, () -> model.forward(m.zeros(new Shape(1, 3, 16, 16))));
            assertEquals("latent_codec.y.entropy_parameters[0]", e.path(), e.getMessage());
            assertEquals(new Location("t.yaml", 12, 30), e.location(), e.getMessage());
            assertTrue(e.problem().contains("expects 18 input channels, got 24"), e.getMessage());
        }
    }
}
