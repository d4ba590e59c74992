package dev.tinify.examples;

import dev.tinify.ImageCompressor;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.metrics.Psnr;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Compresses a photograph to bytes with the shipped bmshj2018-hyperprior weights and decodes the
 * bytes again, through the public API only.
 *
 * <pre>java dev.tinify.examples.BytesExample IMAGE.png</pre>
 */
public final class BytesExample {
    private BytesExample() {}

    public static void main(String[] args) throws IOException {
        try (ImageCompressor tinify = ImageCompressor.zoo("bmshj2018-hyperprior", 3)) {
            ImageCompressor.Compressed c = tinify.compress(Path.of(args[0]));
            RgbImage back = tinify.decompress(c.bytes());
            System.out.printf(Locale.ROOT, "Java: %dx%d photo -> %,d bytes (%.3f bpp) -> %dx%d, PSNR %.2f dB%n", c.width(), c.height(),
                    c.bytes().length, c.bpp(), back.width(), back.height(), Psnr.of(ImageFiles.read(Path.of(args[0])), back));
        }
    }
}
