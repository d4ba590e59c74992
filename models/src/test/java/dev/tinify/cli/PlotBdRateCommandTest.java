package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tinify.runtime.reference.ReferenceCase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** plot and bdrate on the shared classic-codec baselines. */
class PlotBdRateCommandTest {
    private static final String BASELINES = ReferenceCase.sharedDir().resolve("data").resolve("baselines-dev8.json").toString();

    @TempDir
    Path dir;

    @Test
    void plotWritesPngAndSvg() throws Exception {
        Path png = dir.resolve("curve.png");
        Path svg = dir.resolve("curve.svg");
        CliRun run = CliRun.of("plot", BASELINES + ":jpeg", BASELINES + ":webp", "-o", png.toString(), "--svg", svg.toString(),
                "--metric", "ms-ssim");
        assertEquals(0, run.status(), run.toString());
        byte[] p = Files.readAllBytes(png);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(p, 4));
        assertTrue(p.length > 1000, "PNG of " + p.length + " bytes");
        String s = Files.readString(svg, StandardCharsets.UTF_8);
        assertTrue(s.contains("<svg"), "an SVG document");
    }

    @Test
    void bdRateOfACurveAgainstItselfIsZero() throws Exception {
        CliRun run = CliRun.of("bdrate", BASELINES + ":jpeg", BASELINES + ":jpeg", "--json");
        assertEquals(0, run.status(), run.toString());
        JsonNode r = new ObjectMapper().readTree(run.out());
        assertEquals(0.0, r.get("bd_rate_percent").asDouble(), 1e-12);
        assertEquals(0.0, r.get("bd_quality_db").asDouble(), 1e-12);
        CliRun text = CliRun.of("bdrate", BASELINES + ":avif", BASELINES + ":avif", "--metric", "ms-ssim");
        assertEquals(0, text.status(), text.toString());
        assertTrue(text.out().contains("+0.00 %") || text.out().contains("-0.00 %"), text.out());
    }

    @Test
    void webpNeedsFewerBitsThanJpeg() throws Exception {
        CliRun run = CliRun.of("bdrate", BASELINES + ":jpeg", BASELINES + ":webp", "--json");
        assertEquals(0, run.status(), run.toString());
        JsonNode r = new ObjectMapper().readTree(run.out());
        assertTrue(r.get("bd_rate_percent").asDouble() < 0, run.out());
        assertTrue(r.get("bd_quality_db").asDouble() > 0, run.out());
    }

    @Test
    void missingResultFileIsAOneLineError() {
        CliRun run = CliRun.of("bdrate", dir.resolve("none.json").toString(), BASELINES + ":jpeg");
        assertEquals(1, run.status(), run.toString());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().contains("none.json"), run.err());
    }
}
