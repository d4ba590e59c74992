@file:JvmName("ImageCompressors")

package dev.tinify

import dev.tinify.dsl.Spec
import dev.tinify.runtime.container.AtomicFiles
import dev.tinify.runtime.image.ImageFiles
import dev.tinify.runtime.image.RgbImage
import java.io.IOException
import java.nio.file.Files
import java.nio.file.Path

// Kotlin conveniences over ImageCompressor: open one in a block, and file-to-file coding that
// writes its output atomically (a failed call leaves no partial file). Java has the same through
// ImageCompressor and its builder.

/** Opens a compressor for a bundled spec name or a spec file: `imageCompressor("bmshj2018-hyperprior") { quality(3) }`. */
fun imageCompressor(specOrName: String, configure: ImageCompressor.Builder.() -> Unit = {}): ImageCompressor =
    ImageCompressor.builder(specOrName).apply(configure).open()

/** Opens a compressor for a spec declared in code (`spec { }`): `mySpec.imageCompressor { allowUntrained() }`. */
fun Spec.imageCompressor(configure: ImageCompressor.Builder.() -> Unit = {}): ImageCompressor =
    ImageCompressor.builder(this).apply(configure).open()

/** Compresses this image file (PNG, JPEG, PNM) into the `.tfy` file [tfy] with [compressor]. */
fun Path.compressTo(tfy: Path, compressor: ImageCompressor): ImageCompressor.Compressed {
    val compressed = compressor.compress(this)
    written(tfy) { AtomicFiles.write(tfy, compressed.bytes()) }
    return compressed
}

/** Decompresses this `.tfy` file into the PNG file [png] with [compressor], the model that wrote it. */
fun Path.decompressTo(png: Path, compressor: ImageCompressor): RgbImage {
    val image = compressor.decompress(this)
    written(png) { AtomicFiles.write(png, ImageFiles.encodePng(image)) }
    return image
}

/** Decompresses this `.tfy` file into the PNG file [png] with the model the file names (a bundled spec and its shipped weights). */
fun Path.decompressTo(png: Path): RgbImage {
    val tfy = try {
        Files.readAllBytes(this)
    } catch (e: IOException) {
        throw TinifyException("$this: ${e.message}", e)
    }
    val image = ImageCompressor.forFile(tfy).use { it.decompress(this) }
    written(png) { AtomicFiles.write(png, ImageFiles.encodePng(image)) }
    return image
}

private inline fun written(file: Path, write: () -> Unit) {
    try {
        write()
    } catch (e: IOException) {
        throw TinifyException("$file: cannot write: ${e.message}", e)
    }
}
