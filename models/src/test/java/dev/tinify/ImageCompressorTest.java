package dev.tinify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.dsl.Metric;
import dev.tinify.dsl.Spec;
import dev.tinify.runtime.checkpoint.CheckpointException;
import dev.tinify.runtime.container.TinifyFormatException;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.image.Tiling;
import dev.tinify.runtime.metrics.Psnr;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public API: a model opened once, images to bytes and back, one exception root. */
class ImageCompressorTest {
    private static final Path PHOTO = ReferenceCase.sharedDir().resolve("data").resolve("dev8").resolve("fog.png");

    @TempDir
    Path dir;

    private static RgbImage crop(int width, int height) throws Exception {
        RgbImage img = ImageFiles.read(PHOTO);
        return img.crop(new Padding(0, img.width() - width, 0, img.height() - height));
    }

    @Test
    void bytesPathsAndStreamsRoundTripWithTheShippedWeights() throws Exception {
        RgbImage source = crop(256, 192);
        Path png = dir.resolve("a.png");
        ImageFiles.writePng(source, png);
        try (ImageCompressor tinify = ImageCompressor.zoo("bmshj2018-hyperprior", 3)) {
            ImageCompressor.Compressed c = tinify.compress(png);
            assertEquals(256, c.width());
            assertEquals(192, c.height());
            assertEquals(1, c.tiles());
            assertEquals(8.0 * c.codedBytes() / (256 * 192), c.bpp(), 1e-12);
            assertTrue(c.bytes().length > c.codedBytes() && c.seconds() > 0);
            RgbImage back = tinify.decompress(c.bytes());
            assertEquals(256, back.width());
            assertTrue(Psnr.of(source, back) > 25, "a trained model's picture: " + Psnr.of(source, back));
            // The same image given as a stream or as pixels codes to the same bytes; the stream forms decode alike.
            ImageCompressor.Compressed fromStream = tinify.compress(new ByteArrayInputStream(Files.readAllBytes(png)));
            assertArrayEquals(c.bytes(), fromStream.bytes());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            tinify.compress(source, out);
            assertArrayEquals(c.bytes(), out.toByteArray());
            Path tfy = dir.resolve("a.tfy");
            Files.write(tfy, c.bytes());
            assertArrayEquals(back.data(), tinify.decompress(tfy).data());
            assertArrayEquals(back.data(), tinify.decompress(new ByteArrayInputStream(c.bytes())).data());
            try (ImageCompressor named = ImageCompressor.forFile(c.bytes())) {
                assertArrayEquals(back.data(), named.decompress(c.bytes()).data());
            }
        }
    }

    @Test
    void untrainedWeightsAreRefusedUnlessAllowed() {
        UntrainedWeightsException e = assertThrows(UntrainedWeightsException.class,
                () -> ImageCompressor.builder("elic2022-chandelier").quality(1).open());
        assertTrue(e.getMessage().contains("no trained weights"), e.getMessage());
        try (ImageCompressor tiny = ImageCompressor.builder("bmshj2018-hyperprior").quality(3).set("N", 8).set("M", 12)
                .allowUntrained().open()) {
            assertEquals(null, tiny.weights());
        }
    }

    @Test
    void aSpecDeclaredInCodeCompresses() throws Exception {
        Spec spec = Tinify.spec("bmshj2018-factorized");
        try (ImageCompressor tinify = ImageCompressor.builder(spec).quality(1).set("N", 8).set("M", 12).allowUntrained().open()) {
            ImageCompressor.Compressed c = tinify.compress(crop(64, 64));
            assertEquals(64, tinify.decompress(c.bytes()).height());
        }
    }

    @Test
    void everyFailureIsATinifyException() {
        try (ImageCompressor tinify = ImageCompressor.builder("bmshj2018-hyperprior").quality(3).set("N", 8).set("M", 12)
                .allowUntrained().open()) {
            TinifyFormatException damaged = assertThrows(TinifyFormatException.class, () -> tinify.decompress(new byte[] {1, 2, 3}));
            assertTrue(damaged instanceof TinifyException);
            TinifyException missing = assertThrows(TinifyException.class, () -> tinify.compress(dir.resolve("none.png")));
            assertTrue(missing.getMessage().contains("none.png"), missing.getMessage());
        }
        assertTrue(TinifyException.class.isAssignableFrom(CheckpointException.class));
        assertTrue(TinifyException.class.isAssignableFrom(dev.tinify.dsl.SpecException.class));
        assertTrue(RuntimeException.class.isAssignableFrom(TinifyFormatException.class), "unchecked");
    }

    @Test
    void zooWithAWeightsFileBuildsAtTheSizesRecordedBesideIt() throws Exception {
        // Tinify's own export: a safetensors file with a .json naming N=8, M=12, not the zoo's N=128, M=192.
        Path w = dir.resolve("w.safetensors");
        try (CompressionModel m = Tinify.build("bmshj2018-hyperprior", Map.of("N", 8, "M", 12))) {
            m.update(true, true);
            dev.tinify.runtime.checkpoint.StateDicts.save(m, w, dev.tinify.runtime.checkpoint.StateDicts.Precision.FULL);
        }
        Files.writeString(dir.resolve("w.json"), "{\"spec\": \"bmshj2018-hyperprior\", \"params\": {\"N\": 8, \"M\": 12}}");
        try (CompressionModel m = Tinify.zoo("bmshj2018-hyperprior", 3, Metric.MSE, w)) {
            assertEquals(8, m.params().get("N").intValue());
        }
        // Without the .json the zoo's sizes do not fit: a TinifyException naming the file, not a CheckpointException.
        Files.delete(dir.resolve("w.json"));
        TinifyException e = assertThrows(TinifyException.class, () -> Tinify.zoo("bmshj2018-hyperprior", 3, Metric.MSE, w));
        assertTrue(e.getMessage().startsWith(w.toString()), e.getMessage());
        assertTrue(!(e instanceof CheckpointException), e.getClass().getName());
    }

    @Test
    void largeImagesAreCodedInTilesWithoutAVisibleSeam() throws Exception {
        RgbImage source = crop(768, 512);
        try (ImageCompressor whole = ImageCompressor.builder("bmshj2018-hyperprior").quality(3).tiling(Tiling.NONE).open();
                ImageCompressor tiled = ImageCompressor.builder("bmshj2018-hyperprior").quality(3).tiling(new Tiling(512, 64)).open()) {
            ImageCompressor.Compressed a = whole.compress(source);
            ImageCompressor.Compressed b = tiled.compress(source);
            assertEquals(1, a.tiles());
            assertEquals(2, b.tiles());
            RgbImage x = whole.decompress(a.bytes());
            RgbImage y = tiled.decompress(b.bytes());
            double pa = Psnr.of(source, x);
            double pb = Psnr.of(source, y);
            assertTrue(pb > pa - 0.3, "tiles cost " + (pa - pb) + " dB");
            assertTrue(b.bpp() < a.bpp() * 1.15, "tiles cost " + (b.bpp() / a.bpp() - 1) * 100 + " % more bits");
            // No seam: the error where the two tiles overlap (x 448..511) is no larger than inside a tile.
            double seam = error(source, y, 448, 512);
            double inside = error(source, y, 100, 200);
            assertTrue(seam < 1.5 * inside, "a seam shows: " + seam + " vs " + inside);
        }
    }

    /** Mean absolute error of columns {@code from..to-1} against the source. */
    private static double error(RgbImage source, RgbImage decoded, int from, int to) {
        double sum = 0;
        int n = 0;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < source.height(); y++) {
                for (int x = from; x < to; x++) {
                    sum += Math.abs(source.get(c, y, x) - Math.min(1, Math.max(0, decoded.get(c, y, x))));
                    n++;
                }
            }
        }
        return sum / n;
    }
}
