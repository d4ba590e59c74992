package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tinify.eval.ClassicCodec;
import dev.tinify.eval.ResultFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench: classic codecs through their tools into CompressAI's result schema. */
class BenchCommandTest {
    @TempDir
    Path dir;

    @Test
    void jpegAtTwoQualities() throws Exception {
        assumeTrue(ClassicCodec.JPEG.missingTools().isEmpty(), "cjpeg/djpeg (libjpeg-turbo-progs) not installed");
        Path data = Files.createDirectories(dir.resolve("data"));
        CliRun.dev8Png(data, "pier.png", 64, 96);
        CliRun.dev8Png(data, "sunset.png", 48, 48);
        Path out = dir.resolve("jpeg.json");
        CliRun run = CliRun.of("bench", "--codec", "jpeg", "--settings", "30,90", "--data", data.toString(), "-o", out.toString());
        assertEquals(0, run.status(), run.toString());
        ResultFile r = ResultFile.read(out);
        assertEquals("jpeg", r.name());
        assertEquals(2, r.points().size());
        assertEquals("q=30", r.points().get(0).setting());
        assertEquals(2, r.points().get(0).perImage().size());
        // A higher JPEG quality spends more bits and is closer to the source.
        assertTrue(r.points().get(1).bpp() > r.points().get(0).bpp(), run.out());
        assertTrue(r.points().get(1).psnr() > r.points().get(0).psnr(), run.out());
        for (ResultFile.Point p : r.points()) {
            double mean = p.perImage().stream().mapToDouble(ResultFile.ImageResult::bpp).average().orElseThrow();
            assertEquals(mean, p.bpp(), 1e-12);
        }
    }

    @Test
    void unknownCodecIsAOneLineError() {
        CliRun run = CliRun.of("bench", "--codec", "jpeg,gif", "--data", dir.toString(), "-o", dir.resolve("x.json").toString());
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.err().contains("unknown codec 'gif'"), run.err());
    }
}
