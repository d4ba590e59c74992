package dev.tinify.cli;

import dev.tinify.Codec;
import dev.tinify.dsl.Metric;
import dev.tinify.Tinify;
import dev.tinify.VideoCodec;
import dev.tinify.dsl.Spec;
import dev.tinify.TargetSearch;
import dev.tinify.eval.ClassicCodecs;
import dev.tinify.eval.ResultFile;
import dev.tinify.runtime.container.TfyContainer;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.refine.Refinement;
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
                "With -m ssf2020, a folder of sequences (Y4M files, folders of numbered PNG frames): each coded and decoded, "
                        + "written in CompressAI's video result schema with per-sequence and per-frame results.",
                "As CompressAI's eval_model: bpp of the real bitstream (entropy-coded bytes over the original pixels), "
                        + "PSNR and MS-SSIM of the decoded image, encoding and decoding times (seconds).",
                "Writes CompressAI's result JSON with per-image entries and prints one line per quality.",
                "A variable-rate model takes real-valued qualities (-q 1,1.5,2,...); --target-bpp / --target-psnr add one "
                        + "point per target, each image coded at the setting a search finds for it (its encoding time is that "
                        + "of every pass).",
                "--estimate uses the likelihoods' bits and one forward pass instead of coding "
                        + "(its time is split evenly between encoding and decoding, as CompressAI does).",
                "A point-cloud model codes every .ply and .off file of the folder and writes bits per input point, "
                        + "D1/D2 PSNR (pc_error) and the Chamfer distance, per cloud and on average."})
final class EvalCommand extends ToolCommand {
    @Mixin
    ModelOptions model = new ModelOptions();

    @Mixin
    RefineOptions refine = new RefineOptions();

    @Mixin
    TargetOptions targets = new TargetOptions();

    @Mixin
    CloudOptions cloud = new CloudOptions();

    @Option(names = {"-q", "--quality"}, paramLabel = "Q[,Q...]|shipped",
            description = "Quality levels (real values between the trained levels for a variable-rate model), or 'shipped' for "
                    + "every level with shipped weights; required for an image model unless a target is given.")
    String qualities = "";

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "Folder of PNG/JPEG/PNM images (a point-cloud model: of .ply clouds and .off meshes).")
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

    @Option(names = "--gop", paramLabel = "N", defaultValue = "0",
            description = "Video: a keyframe every N frames (default 0: the first frame only, as CompressAI's video evaluation).")
    int gop;

    @Option(names = "--fps", paramLabel = "N[:D]", defaultValue = "25", description = "Video: frame rate of PNG-frame folders (default 25).")
    String fps = "25";

    @Option(names = "--colour", paramLabel = "MATRIX:RANGE", defaultValue = "bt709:full",
            description = "Video: the Y4M colour space, bt601|bt709 : full|limited (default bt709:full, as CompressAI's video evaluation).")
    String colour = "bt709:full";

    @Override
    int execute() throws Exception {
        if (model.model.equals(VideoCodec.ARCHITECTURE)) {
            return video();
        }
        Spec spec = Tinify.spec(model.model);
        if (spec.input() == Spec.Input.POINTS) {
            if (estimate || refine.refinement().enabled()) {
                throw new IllegalArgumentException(spec.name() + " codes point clouds: eval codes them for real, without --estimate or --refine");
            }
            if (weights.size() > 1) {
                throw new IllegalArgumentException("a point-cloud model is evaluated with one --weights file, got " + weights.size());
            }
            return PointCloudCli.eval(this, model, qualities.isBlank() ? 0 : Integer.parseInt(qualities.trim()),
                    weights.isEmpty() ? null : weights.get(0), data, output, cloud.options(), quiet);
        }
        Metric metric = model.metric();
        Refinement refinement = refine.refinement();
        if (estimate && refinement.enabled()) {
            throw new IllegalArgumentException("--refine codes real bitstreams; it does not combine with --estimate");
        }
        List<TargetSearch.Target> targetList = targets.targets();
        if (qualities.isBlank() && targetList.isEmpty()) {
            throw new IllegalArgumentException("give -q Q[,Q...]|shipped, or --target-bpp / --target-psnr");
        }
        if (estimate && !targetList.isEmpty()) {
            throw new IllegalArgumentException("a target is searched with real bitstreams; it does not combine with --estimate");
        }
        List<Double> levels = qualities.isBlank() ? List.of() : levels(spec, metric);
        List<@Nullable Path> files = weightFiles(spec, metric, levels);
        List<Path> images = ClassicCodecs.imagesIn(data);
        List<ResultFile.Point> points = new ArrayList<>();
        long steps = (long) (levels.size() + targetList.size()) * images.size();
        try (Progress progress = Progress.start("eval " + spec.name(), steps, quiet)) {
            for (int i = 0; i < levels.size(); i++) {
                double q = levels.get(i);
                int level = (int) Math.floor(q);
                String label = "q=" + (q == level ? String.valueOf(level) : String.valueOf(q));
                try (Codec codec = model.open(level, files.get(i))) {
                    if (q != level) {
                        codec.useQuality(q);
                    }
                    if (!codec.trained()) {
                        warnUntrained(codec.describe());
                    }
                    List<ResultFile.ImageResult> results = new ArrayList<>();
                    for (Path image : images) {
                        progress.step(label + " " + image.getFileName());
                        results.add(estimate ? estimated(codec, image) : coded(codec, image, refinement));
                    }
                    ResultFile.Point p = ResultFile.Point.mean(label, results);
                    points.add(p);
                    // Always printed: the progress bar on stderr is no substitute for the results.
                    out().println(String.format(Locale.ROOT, "%s: %.4f bpp, PSNR %.3f dB, MS-SSIM %.5f over %d images", label,
                            p.bpp(), p.psnr(), p.msSsim(), results.size()));
                    out().flush();
                }
            }
            if (!targetList.isEmpty()) {
                if (weights.size() > 1) {
                    throw new IllegalArgumentException("with a target, give at most one --weights file");
                }
                Path file = weights.size() == 1 && !Files.isDirectory(weights.get(0)) ? weights.get(0) : null;
                try (TargetCoding coding = new TargetCoding(model, file, Codec.DEFAULT_TILING)) {
                    if (!coding.trained()) {
                        warnUntrained(coding.describe());
                    }
                    for (TargetSearch.Target target : targetList) {
                        points.add(targetPoint(coding, target, images, refinement, progress));
                    }
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

    /** Every image at the setting a search finds for {@code target}; prints how the searches went. */
    private ResultFile.Point targetPoint(TargetCoding coding, TargetSearch.Target target, List<Path> images, Refinement refinement,
            Progress progress) throws IOException {
        List<ResultFile.ImageResult> results = new ArrayList<>();
        int passes = 0;
        int mostPasses = 0;
        int met = 0;
        for (Path image : images) {
            progress.step(target.label() + " " + image.getFileName());
            RgbImage source = ImageFiles.read(image);
            TargetSearch.Outcome o = coding.search(source, target, refinement);
            TfyContainer chosen = o.chosen().container();
            long t0 = System.nanoTime();
            RgbImage decoded = coding.codecOf(o).decompress(TfyContainer.parse(chosen.toBytes()));
            double decoding = (System.nanoTime() - t0) / 1e9;
            results.add(ResultFile.ImageResult.measure(image.getFileName().toString(), source, decoded, chosen.stringBytes(),
                    o.seconds(), decoding));
            passes += o.passes().size();
            mostPasses = Math.max(mostPasses, o.passes().size());
            met += o.met() ? 1 : 0;
        }
        ResultFile.Point p = ResultFile.Point.mean(target.label(), results);
        out().println(String.format(Locale.ROOT,
                "%s: %.4f bpp, PSNR %.3f dB, MS-SSIM %.5f over %d images; %d of %d within tolerance, %.1f passes on average, at most %d",
                target.label(), p.bpp(), p.psnr(), p.msSsim(), results.size(), met, results.size(), (double) passes / images.size(),
                mostPasses));
        out().flush();
        return p;
    }

    /** {@code eval -m ssf2020 --data SEQUENCES}: CompressAI's video evaluation; see {@link VideoEval}. */
    private int video() throws IOException {
        if (gop < 0) {
            throw new IllegalArgumentException("--gop " + gop + ": expected a keyframe interval of at least 1, or 0 for the first frame only");
        }
        if (estimate || refine.refinement().enabled()) {
            throw new IllegalArgumentException(VideoCodec.ARCHITECTURE + " is evaluated on coded bitstreams: --estimate and --refine apply to images");
        }
        List<Integer> levels = new ArrayList<>();
        for (String s : qualities.split(",")) {
            try {
                levels.add(Integer.parseInt(s.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-q " + qualities + ": '" + s + "' is not a quality level (expected Q[,Q...])");
            }
        }
        if (!weights.isEmpty() && weights.size() != levels.size()) {
            throw new IllegalArgumentException("--weights lists " + weights.size() + " files for " + levels.size()
                    + " qualities " + levels + ": give one per quality, in order");
        }
        VideoEval.run(this, levels, q -> {
            Path w = weights.isEmpty() ? null : weights.get(levels.indexOf(q));
            VideoCodec codec = VideoCodec.open(q, model.metric(), model.set, w, model.coder);
            if (!codec.trained()) {
                try {
                    untrained(codec.describe(), model.allowUntrained);
                } catch (RuntimeException e) {
                    codec.close();
                    throw e;
                }
            }
            return codec;
        }, model.metric().id(), model.coder, data, output, gop == 0 ? Integer.MAX_VALUE : gop, EncodeCommand.colourSpace(colour),
                VideoCli.fps(fps), quiet);
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
    private List<Double> levels(Spec spec, Metric metric) {
        List<Double> out = new ArrayList<>();
        if (qualities.trim().equalsIgnoreCase("shipped")) {
            if (spec.zoo() == null) {
                throw new IllegalArgumentException(spec.name() + " has no zoo section, so no shipped weights");
            }
            // What Codec.open loads without --weights: the folder's file, else the bundled weights (at their own sizes).
            for (int q : Weights.shippedQualities(spec, metric, model.overrides())) {
                out.add((double) q);
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
            double q;
            try {
                q = Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                q = Double.NaN;
            }
            if (!Double.isFinite(q) || s.trim().isEmpty() || !s.trim().matches("[0-9.eE+-]+")) {
                throw new IllegalArgumentException("-q " + qualities + ": '" + s + "' is not a quality level (expected Q[,Q...] or shipped)");
            }
            out.add(q);
        }
        return out;
    }

    /** The weight file of each level: given per level, from a folder, or null for the shipped / untrained default. */
    private List<@Nullable Path> weightFiles(Spec spec, Metric metric, List<Double> levels) {
        List<@Nullable Path> out = new ArrayList<>();
        if (weights.size() == 1 && Files.isDirectory(weights.get(0))) {
            for (double quality : levels) {
                int q = (int) Math.floor(quality);
                ZooEntry entry = ZooEntry.of(spec, q, metric);
                @Nullable Path p = Weights.fileIn(weights.get(0), entry);
                if (p == null) {
                    throw new IllegalArgumentException(weights.get(0) + ": no weight file for quality " + q + " (expected "
                            + entry.weightsFileName() + " or " + entry.allQualitiesFileName() + ")");
                }
                out.add(p);
            }
            return out;
        }
        if (!weights.isEmpty() && weights.size() != levels.size() && !levels.isEmpty()) {
            throw new IllegalArgumentException("--weights lists " + weights.size() + " files for " + levels.size()
                    + " qualities " + levels + ": give one per quality, in order, or a folder");
        }
        for (int i = 0; i < levels.size(); i++) {
            out.add(weights.isEmpty() ? null : weights.get(i));
        }
        return out;
    }
}
