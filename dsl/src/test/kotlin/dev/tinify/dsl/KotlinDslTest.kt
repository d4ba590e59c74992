package dev.tinify.dsl

import java.nio.file.Path
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test

/** The Kotlin DSL builds the same tree as the YAML spec file. */
class KotlinDslTest {
    @Test
    fun factorizedEqualsYaml() {
        val built = spec("bmshj2018-factorized") {
            description("Factorized prior (Balle et al. 2018), four strided convolutions with GDN and a fully factorized entropy bottleneck.")
            params("N" to 128, "M" to 192)
            zoo {
                metrics("mse", "ms-ssim")
                for (q in 1..8) {
                    quality(q, "N" to if (q <= 5) 128 else 192, "M" to if (q <= 5) 192 else 320)
                }
                lambda("mse", 0.0018, 0.0035, 0.0067, 0.0130, 0.0250, 0.0483, 0.0932, 0.1800)
                lambda("ms-ssim", 2.40, 4.58, 8.73, 16.64, 31.73, 60.50, 115.37, 220.00)
            }
            modules {
                "g_a" {
                    "conv"(3, "N", 5, 2); "gdn"("N")
                    "conv"("N", "N", 5, 2); "gdn"("N")
                    "conv"("N", "N", 5, 2); "gdn"("N")
                    "conv"("N", "M", 5, 2)
                }
                "g_s" {
                    "deconv"("M", "N", 5, 2); "igdn"("N")
                    "deconv"("N", "N", 5, 2); "igdn"("N")
                    "deconv"("N", "N", "kernel_size" to 5, "stride" to 2); "igdn"("N")
                    "deconv"("N", 3, 5, 2)
                }
                "entropy_bottleneck"(layer("entropy_bottleneck", "M"))
            }
            latentCodec("entropy_bottleneck", ref("entropy_bottleneck"))
        }
        assertEquals(SpecReader.read(Path.of("..", "specs", "bmshj2018-factorized.yaml")), built)
    }
}
