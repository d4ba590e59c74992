package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tinify.Codec;
import dev.tinify.dsl.Metric;
import dev.tinify.runtime.container.TfyContainer;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.metrics.Psnr;
import dev.tinify.runtime.model.CompressionModel;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** encode and decode through files against the model's own compress and decompress. */
class EncodeDecodeCommandTest {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    private static final Map<String, Integer> TINY_PARAMS = Map.of("N", 16, "M", 24);

    @TempDir
    Path dir;

    @Test
    void roundTripThroughFilesIsTheModelsOwnDecompress() throws Exception {
        // 48x80 pads to 64x128 at stride 64: 8 rows above and below, 24 columns left and right.
        Path png = CliRun.dev8Png(dir, "pier.png", 48, 80);
        Path tfy = dir.resolve("pier.tfy");
        Path decoded = dir.resolve("pier-decoded.png");
        CliRun enc = CliRun.of(CliRun.tiny("encode", png.toString(), "-q", "3", "-o", tfy.toString(), "--json"));
        assertEquals(0, enc.status(), enc.toString());
        assertTrue(enc.err().contains("untrained weights: the output is not a useful reconstruction"), enc.err());
        CliRun dec = CliRun.of("decode", tfy.toString(), "-o", decoded.toString(), "--set", "N=16", "--set", "M=24", "--allow-untrained");
        assertEquals(0, dec.status(), dec.toString());

        TfyContainer c = TfyContainer.read(tfy);
        assertEquals(new Padding(24, 24, 8, 8), c.padding());
        assertEquals(48, c.height());
        assertEquals(80, c.width());
        assertEquals("bmshj2018-hyperprior", c.architecture());
        assertEquals(3, c.quality());
        assertEquals("mse", c.metric());
        assertEquals("ans", c.entropyCoder());
        assertEquals("libtorch", c.entropyParams());

        RgbImage source = ImageFiles.read(png);
        try (Codec codec = Codec.open("bmshj2018-hyperprior", 3, Metric.MSE, TINY_PARAMS, null);
             NDManager m = NDManager.newBaseManager()) {
            assertEquals(codec.specHash(), c.specHash());
            CompressionModel model = codec.model();
            CompressionModel.Compressed direct = model.compress(source.pad(new Padding(24, 24, 8, 8)).toNDArray(m));
            assertEquals(direct.strings().size(), c.strings().size());
            for (int i = 0; i < direct.strings().size(); i++) {
                assertArrayEquals(direct.strings().get(i).get(0), c.strings().get(i).get(0), "stream " + i);
            }
            NDArray xHat = model.decompress(m, direct.strings(), direct.shape());
            int[] expected = RgbImage.fromNDArray(xHat).crop(new Padding(24, 24, 8, 8)).to8Bit();
            assertArrayEquals(expected, ImageFiles.read(decoded).to8Bit());
        }

        JsonNode r = JSON.readTree(enc.out());
        long stringBytes = c.strings().stream().flatMap(List::stream).mapToLong(s -> s.length).sum();
        assertEquals(stringBytes, r.get("string_bytes").asLong());
        assertEquals(stringBytes * 8.0 / (48 * 80), r.get("bpp").asDouble(), 0.0);
        assertEquals(Files.size(tfy), r.get("file_bytes").asLong());

        // inspect reads the same header without decoding
        CliRun ins = CliRun.of("inspect", tfy.toString(), "--json");
        assertEquals(0, ins.status(), ins.toString());
        JsonNode h = JSON.readTree(ins.out());
        assertEquals("bmshj2018-hyperprior", h.get("architecture").asText());
        assertEquals(c.weightsFingerprint(), h.get("weights_fingerprint").asText());
        assertEquals(c.specHash(), h.get("spec_hash").asText());
        assertEquals(List.of(48, 80, 24, 8), List.of(h.get("height").asInt(), h.get("width").asInt(),
                h.get("padding").get("left").asInt(), h.get("padding").get("top").asInt()));
        assertEquals(r.get("bpp").asDouble(), h.get("bpp").asDouble(), 0.0);
        assertEquals(Files.size(tfy), h.get("file_bytes").asLong());
        for (int i = 0; i < c.strings().size(); i++) {
            assertEquals(c.strings().get(i).get(0).length, h.get("stream_bytes").get(i).get(0).asInt(), "stream " + i);
        }
        CliRun text = CliRun.of("inspect", tfy.toString());
        assertEquals(0, text.status(), text.toString());
        assertTrue(text.out().contains("model     bmshj2018-hyperprior q3 mse"), text.out());
    }

    @Test
    void metricsOfEncodeAndDecodeAreThoseOfTheDecodedPng() throws Exception {
        Path png = CliRun.dev8Png(dir, "wine.png", 40, 72);
        Path tfy = dir.resolve("wine.tfy");
        Path decoded = dir.resolve("wine-decoded.png");
        CliRun enc = CliRun.of(CliRun.tiny("encode", png.toString(), "-q", "1", "-o", tfy.toString(), "--json",
                "--metrics", "--coder", "range"));
        assertEquals(0, enc.status(), enc.toString());
        CliRun dec = CliRun.of("decode", tfy.toString(), "-o", decoded.toString(), "--set", "N=16", "--set", "M=24", "--allow-untrained", "--json",
                "--metrics", png.toString());
        assertEquals(0, dec.status(), dec.toString());
        assertEquals("range", TfyContainer.read(tfy).entropyCoder());
        double psnr = Psnr.of(ImageFiles.read(png), ImageFiles.read(decoded));
        assertEquals(psnr, JSON.readTree(enc.out()).get("psnr-rgb").asDouble(), 1e-12);
        assertEquals(psnr, JSON.readTree(dec.out()).get("psnr-rgb").asDouble(), 1e-12);
        // Too small for MS-SSIM's five scales: reported as NaN, not as an error.
        assertTrue(Double.isNaN(JSON.readTree(dec.out()).get("ms-ssim-rgb").asDouble()), dec.out());
    }

    @Test
    void sixteenBitRgbaInputCodesLikeItsEightBitRgb() throws Exception {
        RgbImage crop = CliRun.dev8Crop("sunset.png", 32, 48);
        Path png8 = dir.resolve("rgb8.png");
        ImageFiles.writePng(crop, png8);
        int[] v = crop.to8Bit();
        int h = 32;
        int w = 48;
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), new int[] {16, 16, 16, 16}, true,
                false, Transparency.TRANSLUCENT, DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                // 8-bit k as 16-bit k * 257 is the same fraction of full scale; alpha varies and is dropped.
                raster.setPixel(x, y, new int[] {v[i] * 257, v[h * w + i] * 257, v[2 * h * w + i] * 257, (x * 1000) % 65536});
            }
        }
        Path png16 = dir.resolve("rgba16.png");
        assertTrue(ImageIO.write(new BufferedImage(cm, raster, false, null), "png", png16.toFile()));

        Path a = dir.resolve("a.tfy");
        Path b = dir.resolve("b.tfy");
        assertEquals(0, CliRun.of(CliRun.tiny("encode", png8.toString(), "-q", "2", "-o", a.toString())).status());
        CliRun run = CliRun.of(CliRun.tiny("encode", png16.toString(), "-q", "2", "-o", b.toString()));
        assertEquals(0, run.status(), run.toString());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    }

    @Test
    void specHashMismatchIsRefusedAndWritesNothing() throws Exception {
        Path png = CliRun.dev8Png(dir, "fog.png", 32, 32);
        Path tfy = dir.resolve("fog.tfy");
        assertEquals(0, CliRun.of(CliRun.tiny("encode", png.toString(), "-q", "1", "-o", tfy.toString())).status());
        Path out = dir.resolve("out.png");
        // Without the --set overrides the decoder builds the zoo's N=128, M=192 model: another spec hash.
        CliRun run = CliRun.of("decode", tfy.toString(), "-o", out.toString());
        assertEquals(2, run.status(), run.toString());
        assertTrue(run.err().contains("spec hash mismatch"), run.err());
        assertTrue(run.err().contains("--set"), run.err());
        assertEquals(1, run.err().strip().lines().filter(l -> !l.startsWith("WARNING")).count(), run.err());
        assertTrue(!Files.exists(out));
    }

    @Test
    void unreadableImageIsAOneLineError() throws Exception {
        Path notImage = dir.resolve("notes.png");
        Files.writeString(notImage, "hello");
        CliRun run = CliRun.of(CliRun.tiny("encode", notImage.toString(), "-q", "1", "-o", dir.resolve("x.tfy").toString()));
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.err().startsWith("tinify encode: " + notImage + ": not a supported image"), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(!Files.exists(dir.resolve("x.tfy")));
        CliRun missing = CliRun.of(CliRun.tiny("encode", dir.resolve("nope.png").toString(), "-q", "1", "-o", "x.tfy"));
        assertEquals(1, missing.status());
        assertTrue(missing.err().contains("nope.png: no such file or directory"), missing.err());
    }
}
