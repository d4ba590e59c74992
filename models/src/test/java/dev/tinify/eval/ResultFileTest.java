package dev.tinify.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultFileTest {
    static Path baselines() {
        return Path.of(System.getProperty("tinify.shared", "../shared"), "data", "baselines-dev8.json");
    }

    private static ResultFile sample() {
        ResultFile.ImageResult a = new ResultFile.ImageResult("a.png", 100, 0.5, 30, 0.95, 0.1, 0.2);
        ResultFile.ImageResult b = new ResultFile.ImageResult("b.png", 300, 1.5, 34, Double.NaN, 0.3, 0.4);
        return new ResultFile("codec", "a test", List.of(ResultFile.Point.mean("q=1", List.of(a, b))));
    }

    @Test
    void writesCompressAiSchemaAndReadsItBack(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("r.json");
        sample().write(f, true);
        JsonNode root = new ObjectMapper().readTree(Files.readString(f).replace("NaN", "null"));
        assertEquals("codec", root.get("name").asText());
        assertEquals("a test", root.get("description").asText());
        JsonNode results = root.get("results");
        for (String key : List.of("psnr-rgb", "ms-ssim-rgb", "bpp", "encoding_time", "decoding_time")) {
            assertEquals(1, results.get(key).size(), key);
        }
        assertEquals(1.0, results.get("bpp").get(0).asDouble(), 1e-15);
        assertEquals(32.0, results.get("psnr-rgb").get(0).asDouble(), 1e-15);
        assertEquals("b.png", root.get("per_image").get(0).get(1).get("image").asText());
        ResultFile back = ResultFile.read(f);
        assertEquals(sample(), back);
        assertTrue(Double.isNaN(back.points().get(0).msSsim()), "a NaN mean stays NaN");
    }

    @Test
    void perImageEntriesAreOptional(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("r.json");
        sample().write(f, false);
        assertTrue(!Files.readString(f).contains("per_image"));
        assertEquals(List.of(), ResultFile.read(f).points().get(0).perImage());
    }

    @Test
    void readsBaselinesPerCodec() throws IOException {
        Map<String, ResultFile> all = ResultFile.readBaselines(baselines());
        assertEquals(List.of("jpeg", "webp", "avif", "jxl", "hevc444", "jpeg2000", "jpeg2000_q"), List.copyOf(all.keySet()));
        ResultFile jpeg = all.get("jpeg");
        assertEquals("q=5", jpeg.points().get(0).setting());
        assertEquals(0.1004180908203125, jpeg.points().get(0).bpp());
        assertEquals(3798, jpeg.points().get(0).perImage().get(0).bytes());
        assertEquals(jpeg, ResultFile.load(baselines() + ":jpeg"));
    }

    @Test
    void loadErrorsNameTheProblem(@TempDir Path dir) throws IOException {
        IOException e = assertThrows(IOException.class, () -> ResultFile.load(baselines().toString()));
        assertTrue(e.getMessage().contains("FILE:CODEC"), e.getMessage());
        e = assertThrows(IOException.class, () -> ResultFile.load(baselines() + ":nope"));
        assertTrue(e.getMessage().contains("no codec 'nope'"), e.getMessage());
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"results\": {\"bpp\": [1, 2], \"psnr-rgb\": [3]}}");
        e = assertThrows(IOException.class, () -> ResultFile.read(bad));
        assertTrue(e.getMessage().contains("psnr-rgb") && e.getMessage().contains("2 numbers"), e.getMessage());
    }

    @Test
    void measureUsesTheRuntimeMetricsAndSkipsMsSsimOnSmallImages() {
        int[] a = new int[3 * 4 * 5];
        int[] b = a.clone();
        b[7] = 3; // one sample off by 3: MSE 9 / 60
        dev.tinify.runtime.image.RgbImage src = dev.tinify.runtime.image.RgbImage.from8Bit(4, 5, a);
        ResultFile.ImageResult r = ResultFile.ImageResult.measure("x.png", src,
                dev.tinify.runtime.image.RgbImage.from8Bit(4, 5, b), 10, 0.5, 0.25);
        assertEquals(8.0 * 10 / 20, r.bpp(), 1e-15);
        assertEquals(10 * Math.log10(255.0 * 255 * 60 / 9), r.psnr(), 1e-12);
        assertTrue(Double.isNaN(r.msSsim()));
        assertThrows(IllegalArgumentException.class, () -> ResultFile.ImageResult.measure("x.png", src,
                dev.tinify.runtime.image.RgbImage.from8Bit(5, 4, a), 10, 0, 0));
    }
}
