package dev.tinify.examples

import dev.tinify.ImageCompressor
import dev.tinify.runtime.image.ImageFiles
import dev.tinify.runtime.metrics.Psnr
import java.nio.file.Path

/** Compresses a photograph to bytes and back with the shipped bmshj2018-hyperprior weights, from Kotlin. */
fun main(args: Array<String>) {
    ImageCompressor.zoo("bmshj2018-hyperprior", 3).use { tinify ->
        val c = tinify.compress(Path.of(args[0]))
        val back = tinify.decompress(c.bytes())
        val psnr = Psnr.of(ImageFiles.read(Path.of(args[0])), back)
        println("Kotlin: ${c.width()}x${c.height()} photo -> ${c.bytes().size} bytes (%.3f bpp) -> ${back.width()}x${back.height()}, PSNR %.2f dB".format(c.bpp(), psnr))
    }
}
