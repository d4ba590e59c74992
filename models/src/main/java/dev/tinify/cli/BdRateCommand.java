package dev.tinify.cli;

import dev.tinify.eval.BdRate;
import dev.tinify.eval.QualityAxis;
import dev.tinify.eval.ResultFile;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tinify bdrate ANCHOR TEST}: Bjontegaard deltas of two curves. */
@Command(name = "bdrate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print the Bjontegaard delta rate and quality of two rate-distortion curves.",
                "BD-rate in percent (negative: TEST needs fewer bits) and BD-quality in dB of TEST against ANCHOR, "
                        + "as the project's tools/bdrate.py. Results are FILE or FILE:CODEC."})
final class BdRateCommand extends ToolCommand {
    @Parameters(index = "0", paramLabel = "ANCHOR", description = "The reference curve.")
    String anchor = "";

    @Parameters(index = "1", paramLabel = "TEST", description = "The curve compared with it.")
    String test = "";

    @Option(names = "--metric", paramLabel = "METRIC", defaultValue = "psnr", description = "psnr or ms-ssim (default: ${DEFAULT-VALUE}).")
    QualityAxis metric = QualityAxis.PSNR;

    @Option(names = "--method", paramLabel = "METHOD", defaultValue = "pchip",
            description = "Interpolation: pchip or poly3 (VCEG-M33 cubic fit) (default: ${DEFAULT-VALUE}).")
    String method = "pchip";

    @Option(names = "--json", description = "Print a JSON object instead of text.")
    boolean json;

    @Override
    int execute() throws Exception {
        QualityAxis m = metric;
        BdRate.Method how = switch (method.toLowerCase(Locale.ROOT)) {
            case "pchip" -> BdRate.Method.PCHIP;
            case "poly3", "cubic" -> BdRate.Method.POLY3;
            default -> throw new IllegalArgumentException("--method " + method + ": expected pchip or poly3");
        };
        ResultFile a = ResultFile.load(anchor);
        ResultFile b = ResultFile.load(test);
        BdRate.Result r = BdRate.compute(a, b, m, how);
        String q = m == QualityAxis.PSNR ? "PSNR" : "MS-SSIM";
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("anchor", a.name());
            o.put("test", b.name());
            o.put("metric", q.toLowerCase(Locale.ROOT));
            o.put("method", how.name().toLowerCase(Locale.ROOT));
            o.put("bd_rate_percent", r.bdRatePercent());
            o.put("bd_quality_db", r.bdQualityDb());
            o.put("quality_low_db", r.qualityLow());
            o.put("quality_high_db", r.qualityHigh());
            Json.print(out(), o);
        } else {
            out().println(String.format(Locale.ROOT, "BD-rate %s vs %s (%s, %s): %+.2f %%", b.name(), a.name(), q,
                    how.name().toLowerCase(Locale.ROOT), r.bdRatePercent()));
            out().println(String.format(Locale.ROOT, "BD-%s: %+.3f dB (overlap %.2f..%.2f dB)", q, r.bdQualityDb(), r.qualityLow(),
                    r.qualityHigh()));
        }
        return 0;
    }
}
