package dev.tinify.eval;

import dev.tinify.runtime.container.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
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
        for (ResultFile r : results) {
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
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setLineColor(colour(r.name()));
            s.setMarkerColor(colour(r.name()));
        }
        return chart;
    }

    /** Colour-blind-safe palette (Okabe and Ito), darkened yellow for contrast on white. */
    private static final Color[] PALETTE = {new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115),
            new Color(204, 121, 167), new Color(86, 180, 233), new Color(190, 150, 0), new Color(0, 0, 0), new Color(230, 159, 0)};

    /**
     * The colour of a codec, the same in every plot: chosen by its name, not by its position among
     * the plotted results, so JPEG is one colour whatever else is drawn beside it.
     */
    public static Color colour(String codec) {
        String key = codec.toLowerCase(Locale.ROOT);
        int h = 0;
        for (int i = 0; i < key.length(); i++) {
            h = 31 * h + key.charAt(i);
        }
        return PALETTE[Math.floorMod(h, PALETTE.length)];
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
