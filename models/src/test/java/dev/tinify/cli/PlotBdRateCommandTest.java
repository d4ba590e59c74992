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
import dev.tinify.eval.ResultFile;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** plot and bdrate on the shared classic-codec baselines. */
class PlotBdRateCommandTest {
    private static final String BASELINES = ReferenceCase.sharedDir().resolve("data").resolve("baselines-dev8.json").toString();

    @TempDir
    Path dir;

    /**
     * What the plot shows, read back from the SVG (XChart draws text as outlines, so the markers
     * are what can be read): one colour per curve, one marker per result point plus the curve's
     * legend marker, and every marker where the axes put it: x linear in bpp, y linear in the
     * requested metric (MS-SSIM in dB, -10 log10(1 - MS-SSIM)), increasing upwards. A swapped
     * axis, another metric, a lost or merged curve or a misplaced point fails.
     */
    @Test
    void plotShowsEveryPointOfEachCurveOnItsAxes() throws Exception {
        Path png = dir.resolve("curve.png");
        Path svg = dir.resolve("curve.svg");
        CliRun run = CliRun.of("plot", BASELINES + ":jpeg", BASELINES + ":webp", "-o", png.toString(), "--svg", svg.toString(),
                "--metric", "ms-ssim");
        assertEquals(0, run.status(), run.toString());
        byte[] p = Files.readAllBytes(png);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(p, 4));
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(900, image.getWidth());
        assertEquals(600, image.getHeight());

        Map<String, List<double[]>> markers = new LinkedHashMap<>(); // fill colour -> (cx, cy) in document order
        Matcher m = Pattern.compile("<ellipse cx=\"([-0-9.]+)\" cy=\"([-0-9.]+)\"[^>]*fill:(rgb\\([0-9,]+\\))")
                .matcher(Files.readString(svg, StandardCharsets.UTF_8));
        while (m.find()) {
            markers.computeIfAbsent(m.group(3), k -> new ArrayList<>())
                    .add(new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))});
        }
        List<ResultFile> curves = List.of(ResultFile.load(BASELINES + ":jpeg"), ResultFile.load(BASELINES + ":webp"));
        assertEquals(curves.size(), markers.size(), "one marker colour per curve: " + markers.keySet());
        // data point (bpp, dB) -> marker (cx, cy); curves are drawn in order, points sorted by rate
        List<double[]> pairs = new ArrayList<>();
        Iterator<List<double[]>> colours = markers.values().iterator();
        for (ResultFile c : curves) {
            List<double[]> drawn = colours.next();
            List<ResultFile.Point> points = c.points().stream().sorted(Comparator.comparingDouble(ResultFile.Point::bpp)).toList();
            assertEquals(points.size() + 1, drawn.size(), c.name() + ": a marker per point and one in the legend");
            for (int i = 0; i < points.size(); i++) {
                double db = -10 * Math.log10(1 - points.get(i).msSsim());
                pairs.add(new double[] {points.get(i).bpp(), db, drawn.get(i)[0], drawn.get(i)[1]});
            }
        }
        double[] lo = pairs.stream().min(Comparator.comparingDouble(q -> q[0])).orElseThrow();
        double[] hi = pairs.stream().max(Comparator.comparingDouble(q -> q[0])).orElseThrow();
        double[] bottom = pairs.stream().min(Comparator.comparingDouble(q -> q[1])).orElseThrow();
        double[] top = pairs.stream().max(Comparator.comparingDouble(q -> q[1])).orElseThrow();
        double ax = (hi[2] - lo[2]) / (hi[0] - lo[0]);
        double ay = (top[3] - bottom[3]) / (top[1] - bottom[1]);
        assertTrue(ax > 0, "x grows with bpp");
        assertTrue(ay < 0, "higher quality is drawn higher (smaller SVG y)");
        for (double[] q : pairs) {
            assertEquals(lo[2] + ax * (q[0] - lo[0]), q[2], 0.5, "x of the point at " + q[0] + " bpp");
            assertEquals(bottom[3] + ay * (q[1] - bottom[1]), q[3], 0.5, "y of the point at " + q[1] + " dB");
        }
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
