package dev.tinify.cli;

import dev.tinify.eval.ClassicCodec;
import dev.tinify.eval.ClassicCodecs;
import dev.tinify.eval.ResultFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tinify bench --codec jpeg,webp --data DIR -o RESULT.json}: classic codecs on a folder. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run classic codecs (JPEG, WebP, AVIF, ...) over a folder of images.",
                "Uses their Debian command-line tools and writes CompressAI's result JSON: bpp of the whole "
                        + "coded file, PSNR and MS-SSIM of the decoded 8-bit RGB, tool times. Codecs whose tools are missing are skipped with the package to install.",
                "One codec writes OUT; several write OUT-<codec>.json next to it (OUT without .json)."})
final class BenchCommand extends ToolCommand {
    @Option(names = "--codec", required = true, split = ",", paramLabel = "CODEC[,CODEC...]",
            description = "jpeg, webp, avif, jxl, jpeg2000, jpeg2000_q.")
    List<String> codecs = new ArrayList<>();

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Folder of PNG/JPEG/PNM images.")
    Path data = Path.of("");

    @Option(names = "--settings", split = ",", paramLabel = "S[,S...]",
            description = "Settings to sweep (quality, QP, distance...), one codec only; default: the baselines' settings.")
    List<Double> settings = new ArrayList<>();

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "RESULT.json", description = "Where to write (atomically).")
    Path output = Path.of("");

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Override
    int execute() throws Exception {
        List<ClassicCodec> chosen = new ArrayList<>();
        for (String id : codecs) {
            ClassicCodec c = ClassicCodec.byId(id.trim());
            List<String> missing = c.missingTools();
            if (missing.isEmpty()) {
                chosen.add(c);
            } else {
                err().println("skipping " + c.id() + ": " + String.join(", ", missing) + " not on the PATH (Debian: apt-get install "
                        + c.debianPackage() + ")");
                err().flush();
            }
        }
        if (chosen.isEmpty()) {
            throw new IllegalStateException("none of the codecs " + codecs + " can run: install their tools first");
        }
        if (!settings.isEmpty() && codecs.size() > 1) {
            throw new IllegalArgumentException("--settings applies to one codec; " + codecs.size() + " were given");
        }
        List<Path> images = ClassicCodecs.imagesIn(data);
        for (ClassicCodec c : chosen) {
            List<Double> s = settings.isEmpty() ? c.defaultSettings() : settings;
            ResultFile r;
            try (Progress progress = Progress.start("bench " + c.id(), (long) s.size() * images.size(), quiet)) {
                r = ClassicCodecs.run(c, images, s, progress::step);
            }
            Path target = codecs.size() == 1 ? output : perCodec(output, c);
            r.write(target, true);
            for (ResultFile.Point p : r.points()) {
                out().println(String.format(Locale.ROOT, "%s %s: %.4f bpp, PSNR %.3f dB, MS-SSIM %.5f", c.id(), p.setting(), p.bpp(),
                        p.psnr(), p.msSsim()));
            }
            out().println("wrote " + target);
            out().flush();
        }
        return 0;
    }

    /** {@code results.json} becomes {@code results-jpeg.json}. */
    static Path perCodec(Path output, ClassicCodec c) {
        String name = output.getFileName().toString();
        String stem = name.toLowerCase(Locale.ROOT).endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        Path file = Path.of(stem + "-" + c.id() + ".json");
        Path dir = output.getParent();
        return dir == null ? file : dir.resolve(file);
    }
}
