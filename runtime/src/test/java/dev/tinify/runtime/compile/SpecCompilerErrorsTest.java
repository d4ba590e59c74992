package dev.tinify.runtime.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.dsl.Location;
import dev.tinify.dsl.Spec;
import dev.tinify.dsl.SpecException;
import dev.tinify.dsl.SpecReader;
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
}
