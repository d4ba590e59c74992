package dev.tinify.cli;

import dev.tinify.TargetSearch;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --target-bpp} and {@code --target-psnr}: what the rate knob is searched for ({@link TargetSearch}), the same in encode and eval. */
final class TargetOptions {
    @Option(names = "--target-bpp", paramLabel = "B", split = ",",
            description = {"Search the rate knob for the file closest to B bits per pixel (eval: a list B[,B...]): the real-valued "
                    + "quality of a variable-rate model (within 1 %%), else the nearest zoo quality with weights; "
                    + "at most 8 encoder passes, real encoded sizes; prints the setting chosen."})
    List<Double> bpp = new ArrayList<>();

    @Option(names = "--target-psnr", paramLabel = "DB", split = ",",
            description = "As --target-bpp, for the PSNR of the decoded image in dB (within 0.02 dB); every pass also decodes.")
    List<Double> psnr = new ArrayList<>();

    /** The targets given, in order; none when neither option is. */
    List<TargetSearch.Target> targets() {
        if (!bpp.isEmpty() && !psnr.isEmpty()) {
            throw new IllegalArgumentException("--target-bpp and --target-psnr exclude each other: give one");
        }
        List<TargetSearch.Target> out = new ArrayList<>();
        for (double b : bpp) {
            out.add(new TargetSearch.Target(TargetSearch.Measure.BPP, b));
        }
        for (double p : psnr) {
            out.add(new TargetSearch.Target(TargetSearch.Measure.PSNR, p));
        }
        return out;
    }
}
