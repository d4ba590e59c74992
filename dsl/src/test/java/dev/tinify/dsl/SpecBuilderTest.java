package dev.tinify.dsl;

import static dev.tinify.dsl.SpecBuilder.repeat;
import static dev.tinify.dsl.SpecBuilder.seq;
import static dev.tinify.dsl.kinds.EntropyModels.entropyBottleneck;
import static dev.tinify.dsl.kinds.EntropyModels.gaussianConditional;
import static dev.tinify.dsl.kinds.LatentCodecs.channelGroups;
import static dev.tinify.dsl.kinds.LatentCodecs.checkerboard;
import static dev.tinify.dsl.kinds.LatentCodecs.entropyBottleneckCodec;
import static dev.tinify.dsl.kinds.LatentCodecs.gaussianConditionalCodec;
import static dev.tinify.dsl.kinds.LatentCodecs.hyper;
import static dev.tinify.dsl.kinds.LatentCodecs.hyperprior;
import static dev.tinify.dsl.kinds.LatentCodecs.rasterScan;
import static dev.tinify.dsl.kinds.Layers.attentionBlock;
import static dev.tinify.dsl.kinds.Layers.checkerboardMaskedConv;
import static dev.tinify.dsl.kinds.Layers.conv;
import static dev.tinify.dsl.kinds.Layers.conv1x1;
import static dev.tinify.dsl.kinds.Layers.conv2d;
import static dev.tinify.dsl.kinds.Layers.deconv;
import static dev.tinify.dsl.kinds.Layers.gdn;
import static dev.tinify.dsl.kinds.Layers.igdn;
import static dev.tinify.dsl.kinds.Layers.leakyRelu;
import static dev.tinify.dsl.kinds.Layers.maskedConv;
import static dev.tinify.dsl.kinds.Layers.relu;
import static dev.tinify.dsl.kinds.Layers.residualBottleneckBlock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The typed Java builders declare bundled architectures exactly as their YAML files do, and reject what the reader rejects. */
class SpecBuilderTest {

    private static void assertSameAsYaml(Spec built) {
        Spec yaml = SpecReader.read(Path.of("..", "specs", built.name() + ".yaml"));
        assertEquals(yaml, built);
        assertEquals(yaml.hashCode(), built.hashCode());
        assertEquals(SpecWriter.write(yaml), SpecWriter.write(built), "the writer gives the same YAML, parameters symbolic");
    }

    static Spec mbt2018() {
        SpecBuilder b = Spec.builder("mbt2018")
                .description("Joint autoregressive and hierarchical priors (Minnen et al. 2018); raster-scan context model.");
        IntExpr N = b.param("N", 192);
        IntExpr M = b.param("M", 192);
        b.metrics("mse", "ms-ssim");
        for (int q = 1; q <= 8; q++) {
            b.quality(q, Map.of("N", 192, "M", q <= 4 ? 192 : 320));
        }
        b.lambda("mse", 0.0018, 0.0035, 0.0067, 0.0130, 0.0250, 0.0483, 0.0932, 0.1800)
                .lambda("ms-ssim", 2.40, 4.58, 8.73, 16.64, 31.73, 60.50, 115.37, 220.00);
        b.module("g_a", seq(conv(3, N, 5, 2), gdn(N), conv(N, N, 5, 2), gdn(N), conv(N, N, 5, 2), gdn(N), conv(N, M, 5, 2)));
        b.module("g_s", seq(deconv(M, N, 5, 2), igdn(N), deconv(N, N, 5, 2), igdn(N), deconv(N, N, 5, 2), igdn(N), deconv(N, 3, 5, 2)));
        Expr.Ref hA = b.module("h_a", seq(conv(M, N, 3, 1), leakyRelu(), conv(N, N, 5, 2), leakyRelu(), conv(N, N, 5, 2)));
        Expr.Ref hS = b.module("h_s", seq(deconv(N, M, 5, 2), leakyRelu(), deconv(M, M.times(3).div(2), 5, 2), leakyRelu(),
                conv(M.times(3).div(2), M.times(2), 3, 1)));
        Expr.Ref eb = b.module("entropy_bottleneck", entropyBottleneck(N));
        Expr.Ref gc = b.module("gaussian_conditional", gaussianConditional());
        Expr.Ref context = b.module("context_prediction", maskedConv(M, M.times(2), 5, null, 2));
        Expr.Ref params = b.module("entropy_parameters", seq(conv2d(M.times(12).div(3), M.times(10).div(3), 1), leakyRelu(),
                conv2d(M.times(10).div(3), M.times(8).div(3), 1), leakyRelu(), conv2d(M.times(8).div(3), M.times(6).div(3), 1)));
        return b.latentCodec(hyperprior(rasterScan(gc, params, context), hyper(eb, hA, hS))).build();
    }

    static Spec elic2022Chandelier() {
        SpecBuilder b = Spec.builder("elic2022-chandelier")
                .description("ELIC (He et al. 2022) as simplified by Chandelier (2023); channel context from the first and latest groups only.");
        IntExpr N = b.param("N", 192);
        IntExpr M = b.param("M", 320);
        IntList groups = b.listParam("groups", 16, 16, 32, 64, M.minus(128));
        Node.Call blocks = repeat(3, residualBottleneckBlock(N, N));
        b.module("g_a", seq(conv(3, N, 5, 2), blocks, conv(N, N, 5, 2), blocks, attentionBlock(N), conv(N, N, 5, 2), blocks,
                conv(N, M, 5, 2), attentionBlock(M)));
        b.module("g_s", seq(attentionBlock(M), deconv(M, N, 5, 2), blocks, deconv(N, N, 5, 2), attentionBlock(N), blocks,
                deconv(N, N, 5, 2), blocks, deconv(N, 3, 5, 2)));
        Node y = channelGroups(groups,
                k -> seq(conv(groups.get(0).plus(k.gt(1).times(groups.get(k.minus(1)))), 224, 5, 1), relu(), conv(224, 128, 5, 1), relu(),
                        conv(128, groups.get(k).times(2), 5, 1)),
                k -> checkerboard(gaussianConditionalCodec(null, null, "ste", List.of("means", "scales")),
                        seq(conv1x1(groups.get(k).times(2).plus(k.gt(0).times(groups.get(k)).times(2)).plus(M.times(2)), M.times(2)), relu(),
                                conv1x1(M.times(2), 512), relu(), conv1x1(512, groups.get(k).times(2))),
                        checkerboardMaskedConv(groups.get(k), groups.get(k).times(2), 5, null, 2)),
                "first_and_last");
        Node z = hyper(entropyBottleneck(N),
                seq(conv(M, N, 3, 1), relu(), conv(N, N, 5, 2), relu(), conv(N, N, 5, 2)),
                seq(deconv(N, N, 5, 2), relu(), deconv(N, N.times(3).div(2), 5, 2), relu(), conv(N.times(3).div(2), M.times(2), 3, 1)),
                "ste");
        return b.latentCodec(hyperprior(y, z)).build();
    }

    @Test
    void mbt2018EqualsYaml() {
        assertSameAsYaml(mbt2018());
    }

    @Test
    void elic2022ChandelierEqualsYaml() {
        assertSameAsYaml(elic2022Chandelier());
    }

    @Test
    void oneArgumentChangedIsNotEqual() {
        Spec yaml = SpecReader.read(Path.of("..", "specs", "bmshj2018-hyperprior.yaml"));
        Spec other = SpecReader.read("x.yaml", SpecWriter.write(yaml).replace("abs_input=true", "abs_input=false"));
        assertNotEquals(yaml, other);
    }

    @Test
    void channelMismatchIsCaughtAtBuildWithTheModulePath() {
        SpecBuilder b = Spec.builder("x");
        IntExpr N = b.param("N", 8);
        b.module("g_a", seq(conv(3, N), gdn(4)));
        b.module("g_s", seq(deconv(N, 3)));
        b.latentCodec(entropyBottleneckCodec(b.module("eb", entropyBottleneck(N))));
        SpecException e = assertThrows(SpecException.class, b::build);
        assertEquals("g_a[1]", e.path());
        assertTrue(e.getMessage().startsWith("<x built in code>: g_a[1]: channel mismatch"), e.getMessage());
        assertTrue(e.problem().contains("takes 4 channels but g_a[0] conv(3, 8, 5, 2) produces 8"), e.getMessage());
    }

    @Test
    void aBadChoiceIsCaughtAtBuildWithTheArgumentPath() {
        SpecBuilder b = Spec.builder("x");
        IntExpr N = b.param("N", 8);
        b.module("g_a", seq(conv(3, N)));
        b.module("g_s", seq(deconv(N, 3)));
        b.latentCodec(entropyBottleneckCodec(entropyBottleneck(N), "rounding"));
        SpecException e = assertThrows(SpecException.class, b::build);
        assertEquals("latent_codec.quantizer", e.path());
        assertEquals("one of noise, ste", e.expected());
    }
}
