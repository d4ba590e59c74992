package dev.tinify

import dev.tinify.runtime.image.ImageFiles
import dev.tinify.runtime.image.Padding
import dev.tinify.runtime.reference.ReferenceCase
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Files
import java.nio.file.Path

/** The Kotlin conveniences code exactly as the Java API does, and leave no file behind when they fail. */
class ImageCompressorsTest {
    @TempDir
    lateinit var dir: Path

    private fun photo(): Path {
        val fog = ImageFiles.read(ReferenceCase.sharedDir().resolve("data/dev8/fog.png"))
        val png = dir.resolve("fog.png")
        ImageFiles.writePng(fog.crop(Padding(0, fog.width() - 128, 0, fog.height() - 96)), png)
        return png
    }

    @Test
    fun fileToFileCodingMatchesTheJavaApi() {
        val png = photo()
        val tfy = dir.resolve("fog.tfy")
        imageCompressor("bmshj2018-hyperprior") { quality(3) }.use { tinify ->
            val compressed = png.compressTo(tfy, tinify)
            assertArrayEquals(tinify.compress(png).bytes(), Files.readAllBytes(tfy))
            assertArrayEquals(compressed.bytes(), Files.readAllBytes(tfy))
            val expected = tinify.decompress(compressed.bytes())
            val out = dir.resolve("out.png")
            assertArrayEquals(expected.data(), tfy.decompressTo(out, tinify).data())
            assertArrayEquals(ImageFiles.encodePng(expected), Files.readAllBytes(out))
            val named = dir.resolve("named.png")
            assertArrayEquals(expected.data(), tfy.decompressTo(named).data())
            assertArrayEquals(ImageFiles.encodePng(expected), Files.readAllBytes(named))
        }
    }

    @Test
    fun failuresAreTinifyExceptionsAndWriteNothing() {
        val png = photo()
        imageCompressor("bmshj2018-hyperprior") { quality(1) }.use { tinify ->
            val folder = Files.createDirectory(dir.resolve("a-folder"))
            val e = assertThrows<TinifyException> { png.compressTo(folder, tinify) }
            assertTrue(e.message!!.startsWith("$folder: cannot write"), e.message)
            assertTrue(Files.isDirectory(folder) && Files.list(folder).use { it.count() } == 0L)
            val damaged = dir.resolve("damaged.tfy")
            Files.write(damaged, byteArrayOf(1, 2, 3))
            val out = dir.resolve("never.png")
            assertThrows<TinifyException> { damaged.decompressTo(out, tinify) }
            assertFalse(Files.exists(out))
        }
    }
}
