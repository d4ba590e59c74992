package dev.tinify.examples

import ai.djl.ndarray.NDManager
import dev.tinify.Tinify
import dev.tinify.dsl.kinds.conv
import dev.tinify.dsl.kinds.deconv
import dev.tinify.dsl.kinds.entropyBottleneck
import dev.tinify.dsl.kinds.entropyBottleneckCodec
import dev.tinify.dsl.kinds.relu
import dev.tinify.dsl.spec
import dev.tinify.runtime.image.ImageFiles
import dev.tinify.runtime.image.Padding
import java.nio.file.Path
import kotlin.math.ln
import kotlin.system.exitProcess

/**
 * Declares a new architecture in Kotlin, a two-stage factorized-prior codec with ReLU transforms,
 * builds it and runs it on an image: the latent's shape and the estimated rate are printed.
 * The weights are the initial ones; the point is the declaration, not the numbers.
 *
 * Usage: `BuilderExampleKt IMAGE`
 */
fun main(args: Array<String>) {
    if (args.size != 1) {
        System.err.println("usage: BuilderExampleKt IMAGE")
        exitProcess(2)
    }
    val twoStage = spec("two-stage-factorized") {
        description("Factorized prior with two strided convolutions each way and ReLU activations.")
        val N by param(32)
        val M by param(48)
        module("g_a") { +conv(3, N, 5, 2); +relu(); +conv(N, M, 5, 2) }
        module("g_s") { +deconv(M, N, 5, 2); +relu(); +deconv(N, 3, 5, 2) }
        latentCodec(entropyBottleneckCodec(module("entropy_bottleneck", entropyBottleneck(M))))
    }

    val image = ImageFiles.read(Path.of(args[0]))
    Tinify.build(twoStage, mapOf("M" to 24)).use { model ->
        NDManager.newBaseManager().use { manager ->
            model.train(false)
            val padding = Padding.forStride(image.height(), image.width(), model.downsamplingFactor())
            val out = model.forward(image.pad(padding).toNDArray(manager))
            val bits = out.likelihoods().values.sumOf { -it.log().sum().getFloat().toDouble() / ln(2.0) }
            println("${model.name()} ${model.params()}: ${"%,d".format(model.parameterCount())} parameters, " +
                "y ${out.y().shape}, ${"%.3f".format(bits / (image.height().toDouble() * image.width()))} bpp (estimated)")
        }
    }
}
