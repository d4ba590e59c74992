package dev.tinify.cli;

import dev.tinify.Codec;
import dev.tinify.dsl.Metric;
import dev.tinify.Tinify;
import dev.tinify.dsl.Spec;
import dev.tinify.eval.ClassicCodecs;
import dev.tinify.eval.ResultFile;
import dev.tinify.runtime.container.TfyContainer;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.refine.Refinement;
import dev.tinify.zoo.ShippedWeights;
import dev.tinify.zoo.Weights;
import dev.tinify.zoo.ZooEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tinify eval -m MODEL -q Q,... --data DIR -o RESULT.json}: rate-distortion of a model on a folder. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate a model on a folder of images at one or more qualities.",
                "As CompressAI's eval_model: bpp of the real bitstream (entropy-coded bytes over the original pixels), "
                        + "PSNR and MS-SSIM of the decoded image, encoding and decoding times (seconds).",
                "Writes CompressAI's result JSON with per-image entries and prints one line per quality.",
                "--estimate uses the likelihoods' bits and one forward pass instead of coding "
                        + "(its time is split evenly between encoding and decoding, as CompressAI does)."})
final class EvalCommand extends ToolCommand {
    @Mixin
    ModelOptions model = new ModelOptions();

    @Mixin
    RefineOptions refine = new RefineOptions();

    @Option(names = {"-q", "--quality"}, required = true, paramLabel = "Q[,Q...]|shipped",
            description = "Quality levels, or 'shipped' for every level with shipped weights.")
    String qualities = "";

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Folder of PNG/JPEG/PNM images.")
    Path data = Path.of("");

    @Option(names = "--weights", paramLabel = "W[,W...]|DIR", split = ",",
            description = "One weight file per quality (in order), or a folder of <arch>-<metric>-<q>.safetensors.")
    List<Path> weights = new ArrayList<>();

    @Option(names = "--estimate", description = "Likelihood bpp from a forward pass instead of entropy coding.")
    boolean estimate;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "RESULT.json", description = "Where to write the result (atomically).")
    Path output = Path.of("");

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Override
    int execute() throws Exception {
        Spec spec = Tinify.spec(model.model);
        Metric metric = model.metric();
        Refinement refinement = refine.refinement();
        if (estimate && refinement.enabled()) {
            throw new IllegalArgumentException("--refine codes real bitstreams; it does not combine with --estimate");
        }
        List<Integer> levels = levels(spec, metric);
        List<@Nullable Path> files = weightFiles(spec, metric, levels);
        List<Path> images = ClassicCodecs.imagesIn(data);
        List<ResultFile.Point> points = new ArrayList<>();
        try (Progress progress = Progress.start("eval " + spec.name(), (long) levels.size() * images.size(), quiet)) {
            for (int i = 0; i < levels.size(); i++) {
                int q = levels.get(i);
                try (Codec codec = model.open(q, files.get(i))) {
                    if (!codec.trained()) {
                        warnUntrained(codec.describe());
                    }
                    List<ResultFile.ImageResult> results = new ArrayList<>();
                    for (Path image : images) {
                        progress.step("q=" + q + " " + image.getFileName());
                        results.add(estimate ? estimated(codec, image) : coded(codec, image, refinement));
                    }
                    ResultFile.Point p = ResultFile.Point.mean("q=" + q, results);
                    points.add(p);
                    // Always printed: the progress bar on stderr is no substitute for the results.
                    out().println(String.format(Locale.ROOT, "q=%d: %.4f bpp, PSNR %.3f dB, MS-SSIM %.5f over %d images", q,
                            p.bpp(), p.psnr(), p.msSsim(), results.size()));
                    out().flush();
                }
            }
        }
        String description = estimate ? "Entropy estimation" : "Inference (" + model.coder + ")"
                + (refinement.enabled() ? ", latent refinement: " + RefineOptions.describe(refinement) : "");
        String name = refinement.enabled() ? spec.name() + " refine " + refinement.steps() : spec.name();
        new ResultFile(name, description, points).write(output, true);
        out().println("wrote " + output);
        return 0;
    }

    private static ResultFile.ImageResult coded(Codec codec, Path image, Refinement refinement) throws IOException {
        RgbImage source = ImageFiles.read(image);
        long t0 = System.nanoTime();
        TfyContainer container = codec.compress(source, refinement);
        byte[] bytes = container.toBytes();
        long t1 = System.nanoTime();
        RgbImage decoded = codec.decompress(TfyContainer.parse(bytes));
        long t2 = System.nanoTime();
        // CompressAI counts the bytes of the strings, not of a file format around them.
        return ResultFile.ImageResult.measure(image.getFileName().toString(), source, decoded, container.stringBytes(),
                (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    }

    private static ResultFile.ImageResult estimated(Codec codec, Path image) throws IOException {
        RgbImage source = ImageFiles.read(image);
        long t0 = System.nanoTime();
        Codec.Estimate e = codec.estimate(source);
        double half = (System.nanoTime() - t0) / 2e9;
        ResultFile.ImageResult m = ResultFile.ImageResult.measure(image.getFileName().toString(), source, e.image(), 0, half, half);
        double bpp = e.bits() / ((double) source.height() * source.width());
        return new ResultFile.ImageResult(m.image(), -1, bpp, m.psnr(), m.msSsim(), half, half);
    }

    /** The quality list: numbers, or every zoo level with shipped weights. */
    private List<Integer> levels(Spec spec, Metric metric) {
        List<Integer> out = new ArrayList<>();
        if (qualities.trim().equalsIgnoreCase("shipped")) {
            if (spec.zoo() == null) {
                throw new IllegalArgumentException(spec.name() + " has no zoo section, so no shipped weights");
            }
            for (int q : spec.zoo().qualities().keySet().stream().sorted().toList()) {
                ZooEntry entry = ZooEntry.of(spec, q, metric);
                // What Codec.open loads without --weights: the folder's file, else the bundled weights (at their own sizes).
                if (Weights.shippedFile(entry) != null || model.overrides().isEmpty() && ShippedWeights.find(entry).isPresent()) {
                    out.add(q);
                }
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException("no shipped " + metric.id() + " weights for " + spec.name() + " (looked for "
                        + ZooEntry.of(spec, spec.zoo().qualities().keySet().iterator().next(), metric).weightsFileName()
                        + " and the other levels in the folder of -D" + Weights.WEIGHTS_PROPERTY + " or $" + Weights.WEIGHTS_ENV
                        + (model.overrides().isEmpty() ? ", and among the weights bundled with this build)" : ")"));
            }
            return out;
        }
        for (String s : qualities.split(",")) {
            try {
                out.add(Integer.parseInt(s.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-q " + qualities + ": '" + s + "' is not a quality level (expected Q[,Q...] or shipped)");
            }
        }
        return out;
    }

    /** The weight file of each level: given per level, from a folder, or null for the shipped / untrained default. */
    private List<@Nullable Path> weightFiles(Spec spec, Metric metric, List<Integer> levels) {
        List<@Nullable Path> out = new ArrayList<>();
        if (weights.size() == 1 && Files.isDirectory(weights.get(0))) {
            for (int q : levels) {
                Path p = weights.get(0).resolve(ZooEntry.of(spec, q, metric).weightsFileName());
                if (!Files.isRegularFile(p)) {
                    throw new IllegalArgumentException(p + ": no such weight file for quality " + q);
                }
                out.add(p);
            }
            return out;
        }
        if (!weights.isEmpty() && weights.size() != levels.size()) {
            throw new IllegalArgumentException("--weights lists " + weights.size() + " files for " + levels.size()
                    + " qualities " + levels + ": give one per quality, in order, or a folder");
        }
        for (int i = 0; i < levels.size(); i++) {
            out.add(weights.isEmpty() ? null : weights.get(i));
        }
        return out;
    }
}
