package dev.tinify.dsl

import dev.tinify.dsl.kinds.checkerboard
import dev.tinify.dsl.kinds.checkerboardMaskedConv
import dev.tinify.dsl.kinds.channelGroups
import dev.tinify.dsl.kinds.attentionBlock
import dev.tinify.dsl.kinds.conv
import dev.tinify.dsl.kinds.conv1x1
import dev.tinify.dsl.kinds.conv2d
import dev.tinify.dsl.kinds.deconv
import dev.tinify.dsl.kinds.entropyBottleneckCodec
import dev.tinify.dsl.kinds.entropyBottleneck
import dev.tinify.dsl.kinds.gaussianConditional
import dev.tinify.dsl.kinds.gaussianConditionalCodec
import dev.tinify.dsl.kinds.gdn
import dev.tinify.dsl.kinds.hyper
import dev.tinify.dsl.kinds.hyperprior
import dev.tinify.dsl.kinds.igdn
import dev.tinify.dsl.kinds.leakyRelu
import dev.tinify.dsl.kinds.maskedConv
import dev.tinify.dsl.kinds.rasterScan
import dev.tinify.dsl.kinds.relu
import dev.tinify.dsl.kinds.residualBottleneckBlock
import java.nio.file.Path
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** The Kotlin DSL declares bundled architectures exactly as their YAML files do. */
class KotlinDslTest {
    private fun bundled(name: String): Spec = SpecReader.read(Path.of("..", "specs", "$name.yaml"))

    private fun assertSameAsYaml(built: Spec) {
        val yaml = bundled(built.name())
        assertEquals(yaml, built)
        assertEquals(SpecWriter.write(yaml), SpecWriter.write(built), "the writer gives the same YAML, parameters symbolic")
    }

    @Test
    fun mbt2018() {
        assertSameAsYaml(spec("mbt2018") {
            description("Joint autoregressive and hierarchical priors (Minnen et al. 2018); raster-scan context model.")
            val N by param(192)
            val M by param(192)
            zoo {
                metrics("mse", "ms-ssim")
                for (q in 1..8) quality(q, "N" to 192, "M" to if (q <= 4) 192 else 320)
                lambda("mse", 0.0018, 0.0035, 0.0067, 0.0130, 0.0250, 0.0483, 0.0932, 0.1800)
                lambda("ms-ssim", 2.40, 4.58, 8.73, 16.64, 31.73, 60.50, 115.37, 220.00)
            }
            module("g_a") {
                +conv(3, N, 5, 2)
                for (i in 1..2) { +gdn(N); +conv(N, N, 5, 2) }
                +gdn(N)
                +conv(N, M, 5, 2)
            }
            module("g_s") {
                +deconv(M, N, 5, 2)
                for (i in 1..2) { +igdn(N); +deconv(N, N, 5, 2) }
                +igdn(N)
                +deconv(N, 3, 5, 2)
            }
            val hA = module("h_a") { +conv(M, N, 3, 1); +leakyRelu(); +conv(N, N, 5, 2); +leakyRelu(); +conv(N, N, 5, 2) }
            val hS = module("h_s") {
                +deconv(N, M, 5, 2); +leakyRelu(); +deconv(M, M * 3 / 2, 5, 2); +leakyRelu(); +conv(M * 3 / 2, M * 2, 3, 1)
            }
            val eb = module("entropy_bottleneck", entropyBottleneck(N))
            val gc = module("gaussian_conditional", gaussianConditional())
            val context = module("context_prediction", maskedConv(M, M * 2, 5, padding = 2))
            val params = module("entropy_parameters") {
                +conv2d(M * 12 / 3, M * 10 / 3, 1); +leakyRelu(); +conv2d(M * 10 / 3, M * 8 / 3, 1); +leakyRelu(); +conv2d(M * 8 / 3, M * 6 / 3, 1)
            }
            latentCodec(hyperprior(y = rasterScan(gc, params, context), hyper = hyper(eb, hA, hS)))
        })
    }

    @Test
    fun elic2022Chandelier() {
        assertSameAsYaml(spec("elic2022-chandelier") {
            description("ELIC (He et al. 2022) as simplified by Chandelier (2023); channel context from the first and latest groups only.")
            val N by param(192)
            val M by param(320)
            val groups by param(listOf(16, 16, 32, 64, M - 128))
            module("g_a") {
                +conv(3, N, 5, 2)
                repeat(3) { +residualBottleneckBlock(N, N) }
                +conv(N, N, 5, 2)
                repeat(3) { +residualBottleneckBlock(N, N) }
                +attentionBlock(N)
                +conv(N, N, 5, 2)
                repeat(3) { +residualBottleneckBlock(N, N) }
                +conv(N, M, 5, 2)
                +attentionBlock(M)
            }
            module("g_s") {
                +attentionBlock(M)
                +deconv(M, N, 5, 2)
                repeat(3) { +residualBottleneckBlock(N, N) }
                +deconv(N, N, 5, 2)
                +attentionBlock(N)
                repeat(3) { +residualBottleneckBlock(N, N) }
                +deconv(N, N, 5, 2)
                repeat(3) { +residualBottleneckBlock(N, N) }
                +deconv(N, 3, 5, 2)
            }
            latentCodec(hyperprior(
                y = channelGroups(
                    groups,
                    merge = "first_and_last",
                    channelContext = { k ->
                        layers {
                            +conv(groups[0] + (k gt 1) * groups[k - 1], 224, 5, 1)
                            +relu()
                            +conv(224, 128, 5, 1)
                            +relu()
                            +conv(128, groups[k] * 2, 5, 1)
                        }
                    },
                    latentCodec = { k ->
                        checkerboard(
                            y = gaussianConditionalCodec(quantizer = "ste", chunks = listOf("means", "scales")),
                            contextPrediction = checkerboardMaskedConv(groups[k], groups[k] * 2, 5, padding = 2),
                            entropyParameters = layers {
                                +conv1x1(groups[k] * 2 + (k gt 0) * groups[k] * 2 + M * 2, M * 2)
                                +relu()
                                +conv1x1(M * 2, 512)
                                +relu()
                                +conv1x1(512, groups[k] * 2)
                            },
                        )
                    },
                ),
                hyper = hyper(
                    entropyBottleneck = entropyBottleneck(N),
                    quantizer = "ste",
                    hA = layers { +conv(M, N, 3, 1); +relu(); +conv(N, N, 5, 2); +relu(); +conv(N, N, 5, 2) },
                    hS = layers { +deconv(N, N, 5, 2); +relu(); +deconv(N, N * 3 / 2, 5, 2); +relu(); +conv(N * 3 / 2, M * 2, 3, 1) },
                ),
            ))
        })
    }

    @Test
    fun builderErrorsNameTheModulePath() {
        val e = assertThrows<SpecException> {
            spec("broken") {
                val N by param(8)
                module("g_a") { +conv(3, N); +gdn(N); +conv(N, N); +gdn(4) }
                module("g_s") { +deconv(N, 3) }
                latentCodec(entropyBottleneckCodec(module("entropy_bottleneck", entropyBottleneck(N))))
            }
        }
        assertEquals("g_a[3]", e.path())
        assertTrue(e.message!!.startsWith("<broken built in code>: g_a[3]: channel mismatch"), e.message)
    }

    @Test
    fun `graph modules read as in YAML`() {
        val yaml = bundled("minnen2020-channelwise")
        val hS = ((yaml.latentCodec() as Node.Call).arg("hyper") as Node.Call).arg("h_s")
        val N = IntExpr.name("N")
        val M = IntExpr.name("M")
        val built = graph {
            val branch = {
                layers {
                    +deconv(N, N, 5, 2); +relu(); +deconv(N, N * 3 / 2, 5, 2); +relu(); +conv(N * 3 / 2, M, 3, 1)
                }
            }
            val scales = apply("scales", branch())
            val means = apply("means", branch())
            concat("out", scales, means)
        }
        assertEquals(hS, built)
    }
}
