package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tinify.Codec;
import dev.tinify.dsl.Metric;
import dev.tinify.Tinify;
import dev.tinify.dsl.Spec;
import dev.tinify.runtime.container.TfyContainer;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.metrics.Psnr;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.zoo.ShippedWeights;
import dev.tinify.zoo.ZooEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** eval: CompressAI's result schema, values equal to a direct computation. */
class EvalCommandTest {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    private static final List<String> KEYS = List.of("psnr-rgb", "ms-ssim-rgb", "bpp", "encoding_time", "decoding_time");

    @TempDir
    Path dir;

    private Path data() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        CliRun.dev8Png(data, "appleflower.png", 40, 64);
        CliRun.dev8Png(data, "lampbird.png", 64, 48);
        return data;
    }

    private static void assertSchema(JsonNode r, int points, int images) {
        assertEquals("bmshj2018-hyperprior", r.get("name").asText());
        for (String k : KEYS) {
            assertEquals(points, r.get("results").get(k).size(), k);
        }
        assertEquals(points, r.get("settings").size());
        assertEquals(points, r.get("per_image").size());
        for (JsonNode p : r.get("per_image")) {
            assertEquals(images, p.size());
        }
    }

    @Test
    void codedResultsMatchTheBitstreamsAndTheDecodedImages() throws Exception {
        Path data = data();
        Path out = dir.resolve("result.json");
        CliRun run = CliRun.of(CliRun.tiny("eval", "-q", "1,2", "--data", data.toString(), "-o", out.toString(), "--quiet"));
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.out().contains(" bpp, PSNR "), "results are printed, not only written: " + run);
        JsonNode r = JSON.readTree(out.toFile());
        assertSchema(r, 2, 2);
        assertEquals("Inference (ans)", r.get("description").asText());
        assertEquals("q=1", r.get("settings").get(0).asText());
        assertEquals("q=2", r.get("settings").get(1).asText());

        for (int s = 0; s < 2; s++) {
            JsonNode perImage = r.get("per_image").get(s);
            double bppSum = 0;
            double psnrSum = 0;
            try (Codec codec = Codec.open("bmshj2018-hyperprior", s + 1, Metric.MSE, Map.of("N", 16, "M", 24), null)) {
                for (JsonNode img : perImage) {
                    Path file = data.resolve(img.get("image").asText());
                    RgbImage source = ImageFiles.read(file);
                    TfyContainer c = codec.compress(source);
                    RgbImage decoded = codec.decompress(c);
                    assertEquals(c.stringBytes(), img.get("bytes").asLong());
                    assertEquals(c.stringBytes() * 8.0 / (source.height() * source.width()), img.get("bpp").asDouble(), 1e-15);
                    assertEquals(Psnr.of(source, decoded), img.get("psnr-rgb").asDouble(), 1e-12);
                    // Both sides are at most 160 pixels: MS-SSIM is undefined and recorded as NaN.
                    assertTrue(Double.isNaN(img.get("ms-ssim-rgb").asDouble()));
                    assertTrue(img.get("encoding_time").asDouble() > 0 && img.get("decoding_time").asDouble() > 0);
                    bppSum += img.get("bpp").asDouble();
                    psnrSum += img.get("psnr-rgb").asDouble();
                }
            }
            assertEquals(bppSum / 2, r.get("results").get("bpp").get(s).asDouble(), 1e-15);
            assertEquals(psnrSum / 2, r.get("results").get("psnr-rgb").get(s).asDouble(), 1e-12);
        }
    }

    @Test
    void estimateUsesTheLikelihoods() throws Exception {
        Path data = data();
        Path out = dir.resolve("estimate.json");
        CliRun run = CliRun.of(CliRun.tiny("eval", "-q", "3", "--data", data.toString(), "-o", out.toString(), "--estimate"));
        assertEquals(0, run.status(), run.toString());
        JsonNode r = JSON.readTree(out.toFile());
        assertSchema(r, 1, 2);
        assertEquals("Entropy estimation", r.get("description").asText());
        try (Codec codec = Codec.open("bmshj2018-hyperprior", 3, Metric.MSE, Map.of("N", 16, "M", 24), null);
             NDManager m = NDManager.newBaseManager()) {
            CompressionModel model = codec.model();
            for (JsonNode img : r.get("per_image").get(0)) {
                RgbImage source = ImageFiles.read(data.resolve(img.get("image").asText()));
                Padding pad = Padding.forStride(source.height(), source.width(), 64);
                CompressionModel.ForwardResult f = model.forward(source.pad(pad).toNDArray(m));
                double bits = 0;
                for (NDArray l : f.likelihoods().values()) {
                    float[] v = l.toFloatArray();
                    for (float p : v) {
                        bits -= Math.log(p) / Math.log(2);
                    }
                }
                double bpp = bits / (source.height() * source.width());
                assertEquals(bpp, img.get("bpp").asDouble(), 1e-4 * bpp);
                assertEquals(-1, img.get("bytes").asLong());
                RgbImage xHat = RgbImage.fromNDArray(f.xHat()).crop(pad);
                assertEquals(Psnr.of(source, xHat), img.get("psnr-rgb").asDouble(), 1e-12);
            }
        }
    }

    @Test
    void mismatchedWeightListIsAOneLineError() throws Exception {
        CliRun run = CliRun.of(CliRun.tiny("eval", "-q", "1,2", "--data", data().toString(), "-o", dir.resolve("r.json").toString(),
                "--weights", dir.resolve("a.safetensors").toString()));
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.err().contains("--weights lists 1 files for 2 qualities"), run.err());
        assertTrue(!Files.exists(dir.resolve("r.json")));
    }

    @Test
    void shippedMeansTheLevelsWithBundledWeights() throws Exception {
        List<String> bundled = new ArrayList<>();
        Spec spec = Tinify.spec("bmshj2018-hyperprior");
        for (int q : new TreeSet<>(spec.zoo().qualities().keySet())) {
            if (ShippedWeights.find(ZooEntry.of(spec, q, Metric.MSE)).isPresent()) {
                bundled.add("q=" + q);
            }
        }
        Assumptions.assumeFalse(bundled.isEmpty(), "this build bundles no bmshj2018-hyperprior weights");
        Path data = Files.createDirectories(dir.resolve("one"));
        CliRun.dev8Png(data, "fog.png", 64, 64);
        Path out = dir.resolve("shipped.json");
        CliRun run = CliRun.of("eval", "-m", "bmshj2018-hyperprior", "-q", "shipped", "--data", data.toString(), "-o", out.toString(),
                "--quiet");
        assertEquals(0, run.status(), run.toString());
        List<String> settings = new ArrayList<>();
        JSON.readTree(out.toFile()).get("settings").forEach(n -> settings.add(n.asText()));
        assertEquals(bundled, settings, run.toString());
    }
}
