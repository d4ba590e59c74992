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
    public static XYChart chart(List<ResultFile> results, Metric metric) {
        if (results.isEmpty()) {
            throw new IllegalArgumentException("nothing to plot: no result files");
        }
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Rate-distortion (" + (metric == Metric.PSNR ? "PSNR" : "MS-SSIM") + ")")
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
        }
        return chart;
    }

    /** Writes the plot as PNG and, if {@code svg} is given, as SVG; both atomically. */
    public static void write(List<ResultFile> results, Metric metric, Path png, @Nullable Path svg) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = chart(results, metric);
        AtomicFiles.write(png, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        if (svg != null) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            AtomicFiles.write(svg, out.toByteArray());
        }
    }
}
