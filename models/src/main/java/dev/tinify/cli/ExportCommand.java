package dev.tinify.cli;

import dev.tinify.zoo.WeightsExport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tinify export RUN -o OUT.safetensors}: a training checkpoint as zoo weights with their metadata. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Export a training run's checkpoint as weights: CDF tables computed (update(force=True)), "
                + "parameters in fp16 or fp32, and OUT.json beside it (spec, parameters, lambda, steps, batch, patch, seed, "
                + "learning rates, data, the last " + WeightsExport.LAST_STEPS + " logged steps, warm start, precision check, bytes).",
                "--precision auto writes fp16 when that changes the PSNR of every --check image by less than "
                        + WeightsExport.FP16_MAX_PSNR_CHANGE_DB + " dB, else fp32."})
final class ExportCommand extends ToolCommand {
    @Parameters(index = "0", paramLabel = "RUN", description = "Training run folder (its latest.json) or checkpoint JSON.")
    Path run = Path.of("");

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.safetensors", description = "Where to write (atomically).")
    Path output = Path.of("");

    @Option(names = "--precision", paramLabel = "auto|fp32|fp16", defaultValue = "auto",
            description = "Parameter precision (default: ${DEFAULT-VALUE}).")
    String precision = "auto";

    @Option(names = "--check", arity = "1..*", paramLabel = "IMG|DIR", description = "Images (or folders) for the fp16 check.")
    List<Path> check = new ArrayList<>();

    @Option(names = "--spec", paramLabel = "SPEC", description = "Spec file, when the run was not trained with a bundled spec.")
    @Nullable String spec;

    @Override
    int execute() throws Exception {
        WeightsExport.Result r = WeightsExport.export(run, spec, output, WeightsExport.Precision.parse(precision), check);
        for (WeightsExport.Check c : r.checks()) {
            out().println(String.format(Locale.ROOT, "%s: PSNR %.4f dB fp32, %.4f dB fp16", c.image(), c.psnrFp32(), c.psnrFp16()));
        }
        out().println(String.format(Locale.ROOT, "wrote %s (%s, %,d bytes: %s) and %s", r.weights(), r.half() ? "fp16" : "fp32", r.bytes(),
                r.reason(), r.metadata()));
        return 0;
    }
}
