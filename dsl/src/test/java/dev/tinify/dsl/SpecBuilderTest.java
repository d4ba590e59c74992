package dev.tinify.dsl;

import static dev.tinify.dsl.SpecBuilder.arg;
import static dev.tinify.dsl.SpecBuilder.codec;
import static dev.tinify.dsl.SpecBuilder.layer;
import static dev.tinify.dsl.SpecBuilder.ref;
import static dev.tinify.dsl.SpecBuilder.seq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Java builder yields the same tree as the YAML spec, and rejects what the reader rejects. */
class SpecBuilderTest {

    static Spec hyperprior() {
        SpecBuilder b = Spec.builder("bmshj2018-hyperprior")
                .description("Scale hyperprior (Balle et al. 2018); the hyper branch predicts the scales of a zero-mean Gaussian.")
                .param("N", 128).param("M", 192)
                .metrics("mse", "ms-ssim");
        for (int q = 1; q <= 8; q++) {
            b.quality(q, q <= 5 ? Map.of("N", 128, "M", 192) : Map.of("N", 192, "M", 320));
        }
        return b.lambda("mse", 0.0018, 0.0035, 0.0067, 0.0130, 0.0250, 0.0483, 0.0932, 0.1800)
                .lambda("ms-ssim", 2.40, 4.58, 8.73, 16.64, 31.73, 60.50, 115.37, 220.00)
                .module("g_a", seq(layer("conv", 3, "N", 5, 2), layer("gdn", "N"), layer("conv", "N", "N", 5, 2), layer("gdn", "N"),
                        layer("conv", "N", "N", 5, 2), layer("gdn", "N"), layer("conv", "N", "M", 5, 2)))
                .module("g_s", seq(layer("deconv", "M", "N", 5, 2), layer("igdn", "N"), layer("deconv", "N", "N", 5, 2), layer("igdn", "N"),
                        layer("deconv", "N", "N", 5, 2), layer("igdn", "N"), layer("deconv", "N", 3, arg("kernel_size", 5), arg("stride", 2))))
                .module("h_a", seq(layer("conv", "M", "N", 3, 1), layer("relu"), layer("conv", "N", "N", 5, 2), layer("relu"),
                        layer("conv", "N", "N", 5, 2)))
                .module("h_s", seq(layer("deconv", "N", "N", 5, 2), layer("relu"), layer("deconv", "N", "N", 5, 2), layer("relu"),
                        layer("conv", "N", "M", 3, 1), layer("relu")))
                .module("entropy_bottleneck", layer("entropy_bottleneck", "N"))
                .module("gaussian_conditional", layer("gaussian_conditional"))
                .latentCodec(codec("hyperprior",
                        codec("gaussian_conditional", ref("gaussian_conditional"), arg("chunks", List.of("scales"))),
                        codec("hyper", "$entropy_bottleneck", ref("h_a"), ref("h_s"), arg("abs_input", true))))
                .build();
    }

    @Test
    void hyperpriorEqualsYaml() {
        Spec yaml = SpecReader.read(Path.of("..", "specs", "bmshj2018-hyperprior.yaml"));
        Spec built = hyperprior();
        assertEquals(yaml, built);
        assertEquals(yaml.hashCode(), built.hashCode());
        assertEquals(SpecWriter.write(yaml), SpecWriter.write(built));
    }

    @Test
    void oneArgumentChangedIsNotEqual() {
        Spec yaml = SpecReader.read(Path.of("..", "specs", "bmshj2018-hyperprior.yaml"));
        Spec other = SpecReader.read("x.yaml", SpecWriter.write(yaml).replace("abs_input=true", "abs_input=false"));
        assertNotEquals(yaml, other);
    }

    @Test
    void unknownKindIsRejectedWithSuggestion() {
        SpecException e = assertThrows(SpecException.class, () -> layer("conv2", 3, 4, 1));
        assertTrue(e.problem().contains("did you mean 'conv'") || e.problem().contains("did you mean 'conv2d'"), e.getMessage());
    }

    @Test
    void channelMismatchIsCaughtAtBuild() {
        SpecException e = assertThrows(SpecException.class, () -> Spec.builder("x").param("N", 8)
                .module("g_a", seq(layer("conv", 3, "N"), layer("gdn", 4)))
                .module("g_s", seq(layer("deconv", "N", 3)))
                .module("eb", layer("entropy_bottleneck", "N"))
                .latentCodec(codec("entropy_bottleneck", ref("eb"))).build());
        assertEquals("g_a[1]", e.path());
        assertTrue(e.problem().contains("takes 4 channels but g_a[0] conv(3, 8, 5, 2) produces 8"), e.getMessage());
    }
}
