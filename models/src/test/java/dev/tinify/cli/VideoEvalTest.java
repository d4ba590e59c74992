package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tinify.VideoCodec;
import dev.tinify.dsl.Metric;
import dev.tinify.eval.ResultFile;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.metrics.Psnr;
import dev.tinify.runtime.video.files.ColorSpace;
import dev.tinify.runtime.video.files.FrameReader;
import dev.tinify.runtime.video.files.Y4m;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * eval -m ssf2020 on a folder holding a Y4M clip and a folder of PNG frames: CompressAI's video
 * schema, per-frame values equal to a direct encode of the same clip, rates consistent with the
 * coded bytes, nothing left beside the result.
 */
class VideoEvalTest {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    private static final Map<String, Integer> SMALL = Map.of("planes", 8, "mid_planes", 8);
    private static final List<String> KEYS = List.of("psnr-y", "psnr-u", "psnr-v", "psnr-yuv", "ms-ssim-rgb", "mse-rgb", "psnr-rgb",
            "bitrate", "bpp", "encoding_time", "decoding_time");

    @Test
    void writesCompressAisVideoSchemaWithPerFrameResults(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("sequences"));
        Path photo = CliRun.dev8Png(dir, "pier.png", 300, 300);
        Path clip = data.resolve("a-pan.y4m");
        assertEquals(0, CliRun.of("clip", photo.toString(), "-o", clip.toString(), "--frames", "3", "--size", "176x168").status());
        Path frames = Files.createDirectories(data.resolve("b-frames"));
        ImageFiles.writePng(CliRun.dev8Crop("fog.png", 64, 96), frames.resolve("0001.png"));
        ImageFiles.writePng(CliRun.dev8Crop("fog.png", 64, 96), frames.resolve("0002.png"));
        Files.writeString(data.resolve("notes.txt"), "not a sequence");
        Path out = dir.resolve("out").resolve("result.json");
        Files.createDirectories(out.getParent());

        CliRun run = CliRun.of("eval", "-m", "ssf2020", "-q", "1,2", "--set", "planes=8", "--set", "mid_planes=8", "--data", data.toString(),
                "-o", out.toString(), "--quiet", "--fps", "30", "--allow-untrained");
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.out().contains("q=1 a-pan frame 2 inter:") && run.out().contains("q=2 b-frames frame 0 key:"), run.out());
        assertTrue(run.out().contains("q=2: ") && run.out().contains(" over 2 sequences"), run.out());
        try (Stream<Path> s = Files.list(out.getParent())) {
            assertEquals(List.of(out), s.toList(), "only the result is left");
        }

        JsonNode r = JSON.readTree(out.toFile());
        assertEquals("ssf2020-mse", r.get("name").asText());
        assertEquals("Inference (ans)", r.get("description").asText());
        JsonNode results = r.get("results");
        assertEquals("ssf2020-mse-1-ans", results.get("q").get(0).asText());
        for (String k : KEYS) {
            assertEquals(2, results.get(k).size(), k);
        }
        assertEquals(2, r.get("per_sequence").size());

        for (int q = 1; q <= 2; q++) {
            JsonNode sequences = r.get("per_sequence").get(q - 1);
            assertEquals(2, sequences.size());
            JsonNode a = sequences.get(0);
            JsonNode b = sequences.get(1);
            assertEquals("a-pan", a.get("source").asText());
            assertEquals("b-frames", b.get("source").asText());
            assertEquals("ssf2020", a.get("name").asText());
            assertEquals(3, a.get("frames").asInt());
            assertEquals(2, b.get("frames").asInt());
            List<String> types = new ArrayList<>();
            a.get("per_frame").get("type").forEach(t -> types.add(t.asText()));
            assertEquals(List.of("key", "inter", "inter"), types, "only the first frame is a keyframe by default");

            // Each frame's PSNR equals a direct encode of the same clip with the library.
            List<Double> direct = new ArrayList<>();
            List<Long> directBytes = new ArrayList<>();
            try (VideoCodec codec = VideoCodec.open(q, Metric.MSE, SMALL, null, "ans");
                    FrameReader reader = Y4m.open(clip, ColorSpace.COMPRESSAI)) {
                codec.encode(reader, dir.resolve("direct-" + q + ".tfy"), Integer.MAX_VALUE, ColorSpace.COMPRESSAI,
                        (i, record, source, recon) -> {
                            direct.add(Psnr.of(source, recon));
                            directBytes.add(record.codedBytes());
                        });
            }
            JsonNode perFrame = a.get("per_frame");
            long coded = 0;
            for (int i = 0; i < 3; i++) {
                assertEquals(direct.get(i), perFrame.get("psnr-rgb").get(i).asDouble(), 1e-9, "frame " + i);
                assertEquals(directBytes.get(i).longValue(), perFrame.get("bytes").get(i).asLong());
                assertEquals(perFrame.get("bytes").get(i).asLong() * 8.0 / (176 * 168), perFrame.get("bpp").get(i).asDouble(), 1e-12);
                double y = perFrame.get("psnr-y").get(i).asDouble();
                double u = perFrame.get("psnr-u").get(i).asDouble();
                double v = perFrame.get("psnr-v").get(i).asDouble();
                assertEquals((4 * y + u + v) / 6, perFrame.get("psnr-yuv").get(i).asDouble(), 1e-9);
                double msssim = perFrame.get("ms-ssim-rgb").get(i).asDouble();
                assertTrue(msssim > 0 && msssim <= 1, "MS-SSIM of a 176x168 frame: " + msssim);
                assertTrue(perFrame.get("decoding_time").get(i).asDouble() > 0);
                coded += perFrame.get("bytes").get(i).asLong();
            }
            // bitrate (kbit/s at 25 fps, the clip's rate) counts the whole .tfy: the coded streams plus the container.
            long fileBytes = Math.round(a.get("results").get("bitrate").asDouble() * 1000 * 3 / (8 * 25.0));
            assertEquals(Files.size(dir.resolve("direct-" + q + ".tfy")), fileBytes, 1);
            assertTrue(fileBytes > coded, fileBytes + " > " + coded);
            double meanPsnr = (direct.get(0) + direct.get(1) + direct.get(2)) / 3;
            assertEquals(meanPsnr, a.get("results").get("psnr-rgb").asDouble(), 1e-9);
            // The PNG folder runs at --fps; frames of 96x64 are too small for MS-SSIM.
            assertTrue(Double.isNaN(b.get("results").get("ms-ssim-rgb").asDouble()));
            long bBytes = Math.round(b.get("results").get("bitrate").asDouble() * 1000 * 2 / (8 * 30.0));
            assertTrue(bBytes > b.get("per_frame").get("bytes").get(0).asLong() + b.get("per_frame").get("bytes").get(1).asLong());
            // The aggregate is the mean of the sequence means, as CompressAI's aggregate_results.
            assertEquals((a.get("results").get("bpp").asDouble() + b.get("results").get("bpp").asDouble()) / 2,
                    results.get("bpp").get(q - 1).asDouble(), 1e-12);
        }
        // tinify plot and bdrate read it as a result file.
        ResultFile read = ResultFile.read(out);
        assertEquals(2, read.points().size());
        assertEquals(results.get("bpp").get(1).asDouble(), read.points().get(1).bpp(), 1e-12);
    }

    @Test
    void refusesFoldersWithoutSequencesAndUntrainedModelsWithoutConsent(@TempDir Path dir) throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Path out = dir.resolve("r.json");
        CliRun none = CliRun.of("eval", "-m", "ssf2020", "-q", "1", "--set", "planes=8", "--set", "mid_planes=8", "--data", empty.toString(),
                "-o", out.toString(), "--allow-untrained");
        assertEquals(1, none.status(), none.toString());
        assertTrue(none.err().contains(empty + ": no sequences"), none.err());
        Path data = Files.createDirectories(dir.resolve("data"));
        Path photo = CliRun.dev8Png(dir, "pier.png", 200, 200);
        assertEquals(0, CliRun.of("clip", photo.toString(), "-o", data.resolve("c.y4m").toString(), "--frames", "2", "--size", "64x64").status());
        CliRun refused = CliRun.of("eval", "-m", "ssf2020", "-q", "1", "--set", "planes=8", "--set", "mid_planes=8", "--data", data.toString(),
                "-o", out.toString());
        assertEquals(1, refused.status(), refused.toString());
        assertTrue(refused.err().contains("--allow-untrained"), refused.err());
        assertFalse(Files.exists(out));
    }
}
