package dev.tinify.cli;

import dev.tinify.eval.QualityAxis;
import dev.tinify.eval.RdPlot;
import dev.tinify.eval.ResultFile;
import dev.tinify.runtime.container.OutputFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tinify plot RESULT.json... -o curve.png}: rate-distortion curves. */
@Command(name = "plot", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Plot rate-distortion curves as PNG or JPEG (and SVG).",
                "bpp against PSNR or MS-SSIM in dB, one line per result.",
                "A result is a CompressAI result file, or FILE:CODEC for one codec of a baselines file."})
final class PlotCommand extends ToolCommand {
    @Parameters(arity = "1..*", paramLabel = "RESULT", description = "Result files (FILE or FILE:CODEC).")
    List<String> results = new ArrayList<>();

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "curve.png",
            description = "Image to write (atomically): .png or .jpg.")
    Path output = Path.of("");

    @Option(names = "--svg", paramLabel = "curve.svg", description = "Also write an SVG.")
    @Nullable Path svg;

    @Option(names = "--metric", paramLabel = "METRIC", defaultValue = "psnr", description = "psnr or ms-ssim (default: ${DEFAULT-VALUE}).")
    QualityAxis metric = QualityAxis.PSNR;

    @Override
    int execute() throws Exception {
        QualityAxis m = metric;
        List<ResultFile> curves = new ArrayList<>();
        for (String r : results) {
            int colon = r.lastIndexOf(':');
            Path[] files = {Path.of(r), colon > 0 ? Path.of(r.substring(0, colon)) : null};
            OutputFiles.checkNotInput(output, files);
            if (svg != null) {
                OutputFiles.checkNotInput(svg, files);
            }
            curves.add(ResultFile.load(r));
        }
        OutputFiles.checkDistinct(output, svg);
        RdPlot.write(curves, m, output, svg);
        out().println("wrote " + output + (svg != null ? " and " + svg : ""));
        return 0;
    }
}
