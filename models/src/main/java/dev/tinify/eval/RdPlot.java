package dev.tinify.eval;

import dev.tinify.runtime.container.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import java.awt.Color;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Rate-distortion plots of result files: bpp on x, PSNR or MS-SSIM (dB) on y, one line per
 * result set with its points sorted by rate; written as PNG and SVG with XChart. Rendering needs
 * no display ({@code java.awt.headless} is set).
 */
public final class RdPlot {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 600;

    private RdPlot() {}

    /** The chart for {@code results} on {@code metric}; points without a value are left out. */
    public static XYChart chart(List<ResultFile> results, QualityAxis metric) {
        if (results.isEmpty()) {
            throw new IllegalArgumentException("nothing to plot: no result files");
        }
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Rate-distortion (" + (metric == QualityAxis.PSNR ? "PSNR" : "MS-SSIM") + ")")
                .xAxisTitle("Bit-rate [bpp]").yAxisTitle(metric.axisLabel()).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setPlotGridLinesVisible(true);
        chart.getStyler().setMarkerSize(6);
        Set<String> names = new HashSet<>();
        List<Color> colours = colours(results.stream().map(ResultFile::name).toList());
        for (int c = 0; c < results.size(); c++) {
            ResultFile r = results.get(c);
            double[] q = metric.qualityDb(r);
            double[] bpp = r.bpp();
            List<double[]> pts = new ArrayList<>();
            for (int i = 0; i < bpp.length; i++) {
                if (Double.isFinite(bpp[i]) && Double.isFinite(q[i])) {
                    pts.add(new double[] {bpp[i], q[i]});
                }
            }
            if (pts.isEmpty()) {
                throw new IllegalArgumentException(r.name() + " has no point with both bpp and " + metric.axisLabel());
            }
            pts.sort(Comparator.comparingDouble(p -> p[0]));
            String name = r.name();
            for (int k = 2; !names.add(name); k++) {
                name = r.name() + " (" + k + ")"; // XChart needs distinct series names
            }
            XYSeries s = chart.addSeries(name, pts.stream().mapToDouble(p -> p[0]).toArray(),
                    pts.stream().mapToDouble(p -> p[1]).toArray());
            // Past the palette, a colour repeats with another marker shape.
            s.setMarker(MARKERS[Collections.frequency(colours.subList(0, c), colours.get(c)) % MARKERS.length]);
            s.setLineColor(colours.get(c));
            s.setMarkerColor(colours.get(c));
        }
        return chart;
    }

    /** Colour-blind-safe palette (Okabe and Ito), darkened yellow for contrast on white. */
    private static final Color BLUE = new Color(0, 114, 178);
    private static final Color VERMILLION = new Color(213, 94, 0);
    private static final Color GREEN = new Color(0, 158, 115);
    private static final Color PURPLE = new Color(204, 121, 167);
    private static final Color SKY = new Color(86, 180, 233);
    private static final Color YELLOW = new Color(190, 150, 0);
    private static final Color BLACK = new Color(0, 0, 0);
    private static final Color ORANGE = new Color(230, 159, 0);

    /** The classical codecs of a baselines file keep one colour in every plot. */
    private static final Map<String, Color> CODEC_COLOURS = Map.of("jpeg", BLACK, "webp", VERMILLION, "avif", GREEN,
            "jxl", PURPLE, "hevc444", YELLOW, "jpeg2000", ORANGE, "jpeg2000_q", ORANGE);

    /** The colours other curves take in turn. */
    private static final Color[] CURVE_COLOURS = {BLUE, SKY, PURPLE, ORANGE, YELLOW, GREEN, VERMILLION, BLACK};

    private static final org.knowm.xchart.style.markers.Marker[] MARKERS = {SeriesMarkers.CIRCLE, SeriesMarkers.DIAMOND,
            SeriesMarkers.SQUARE, SeriesMarkers.TRIANGLE_UP};

    /**
     * One colour per curve: a classical codec its own, the others the first of {@link
     * #CURVE_COLOURS} that no curve of this plot has yet (so two results of the same model, an old
     * and a new one, differ); past the palette, colours repeat in order.
     */
    static List<Color> colours(List<String> names) {
        Set<Color> used = new HashSet<>();
        for (String n : names) {
            Color fixed = CODEC_COLOURS.get(n.toLowerCase(Locale.ROOT));
            if (fixed != null) {
                used.add(fixed);
            }
        }
        List<Color> out = new ArrayList<>();
        int next = 0;
        for (String n : names) {
            Color fixed = CODEC_COLOURS.get(n.toLowerCase(Locale.ROOT));
            if (fixed != null && !out.contains(fixed)) {
                out.add(fixed);
                continue;
            }
            Color c = null;
            for (int tries = 0; tries < CURVE_COLOURS.length && c == null; tries++) {
                Color candidate = CURVE_COLOURS[(next + tries) % CURVE_COLOURS.length];
                if (!used.contains(candidate)) {
                    c = candidate;
                    next = (next + tries + 1) % CURVE_COLOURS.length;
                }
            }
            if (c == null) {
                c = CURVE_COLOURS[next];
                next = (next + 1) % CURVE_COLOURS.length;
            }
            used.add(c);
            out.add(c);
        }
        return out;
    }

    /** The bitmap format an output file's extension asks for: PNG or JPEG; any other extension is refused. */
    static BitmapEncoder.BitmapFormat format(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".png")) {
            return BitmapEncoder.BitmapFormat.PNG;
        }
        if (name.endsWith(".jpg") || name.endsWith(".jpeg")) {
            return BitmapEncoder.BitmapFormat.JPG;
        }
        throw new IllegalArgumentException(file + ": a plot is written as .png or .jpg (add --svg FILE.svg for a vector image)");
    }

    /**
     * Writes the plot as PNG or JPEG (as the file's extension says) and, if {@code svg} is given,
     * as SVG; both atomically.
     */
    public static void write(List<ResultFile> results, QualityAxis metric, Path image, @Nullable Path svg) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BitmapEncoder.BitmapFormat format = format(image);
        XYChart chart = chart(results, metric);
        AtomicFiles.write(image, BitmapEncoder.getBitmapBytes(chart, format));
        if (svg != null) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            AtomicFiles.write(svg, out.toByteArray());
        }
    }
}
