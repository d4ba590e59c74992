package dev.tinify.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RdPlotTest {
    @Test
    void writesPngAndSvgOfSeveralCurves(@TempDir Path dir) throws Exception {
        Path f = ResultFileTest.baselines();
        List<ResultFile> curves = List.of(ResultFile.load(f + ":jpeg"), ResultFile.load(f + ":webp"), ResultFile.load(f + ":avif"));
        Path png = dir.resolve("rd.png");
        Path svg = dir.resolve("rd.svg");
        RdPlot.write(curves, QualityAxis.MS_SSIM, png, svg);
        BufferedImage im = ImageIO.read(png.toFile());
        assertEquals(900, im.getWidth());
        assertEquals(600, im.getHeight());
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < im.getHeight(); y += 3) {
            for (int x = 0; x < im.getWidth(); x += 3) {
                colours.add(im.getRGB(x, y));
            }
        }
        assertTrue(colours.size() > 10, "the PNG looks blank: " + colours.size() + " colours");
        String text = Files.readString(svg);
        assertTrue(text.contains("<svg") && text.contains("viewBox=\"0 0 900 600\""), "not a 900 x 600 SVG");
        // Each point's marker is an ellipse (text is drawn as outlines, so words are not searchable).
        int points = curves.stream().mapToInt(c -> c.points().size()).sum();
        assertTrue(text.split("<ellipse").length - 1 >= points, "the SVG lacks markers for the " + points + " points");
        try (var s = Files.list(dir)) {
            assertEquals(2, s.count(), "no temporary files may remain");
        }
    }

    @Test
    void titleAxesAndLegendNameWhatIsPlotted() throws Exception {
        Path f = ResultFileTest.baselines();
        var chart = RdPlot.chart(List.of(ResultFile.load(f + ":jpeg"), ResultFile.load(f + ":webp")), QualityAxis.PSNR);
        assertEquals("Rate-distortion (PSNR)", chart.getTitle());
        assertEquals("Bit-rate [bpp]", chart.getXAxisTitle());
        assertEquals("PSNR-RGB [dB]", chart.getYAxisTitle());
        assertEquals(List.of("jpeg", "webp"), List.copyOf(chart.getSeriesMap().keySet()));
    }

    @Test
    void duplicateNamesGetDistinctSeries() {
        ResultFile a = new ResultFile("m", "", List.of(new ResultFile.Point("", 0.5, 30, 0.9, 0, 0, List.of())));
        assertEquals(2, RdPlot.chart(List.of(a, a), QualityAxis.PSNR).getSeriesMap().size());
    }

    @Test
    void everyCurveOfAPlotHasItsOwnColourEvenUnderTheSameName() {
        List<Color> c = RdPlot.colours(List.of("jpeg", "bmshj2018-hyperprior", "bmshj2018-hyperprior", "webp", "avif",
                "mbt2018-mean", "elic2022-chandelier", "cheng2020-anchor"));
        assertEquals(8, new java.util.HashSet<>(c).size(), "colours " + c);
    }

    @Test
    void aClassicalCodecKeepsItsColourWhereverItIsDrawn() {
        Color alone = RdPlot.colours(List.of("jpeg")).get(0);
        assertEquals(alone, RdPlot.colours(List.of("bmshj2018-hyperprior", "webp", "JPEG")).get(2));
        assertEquals(RdPlot.colours(List.of("webp")).get(0), RdPlot.colours(List.of("jpeg", "mbt2018", "webp")).get(2));
    }
}
