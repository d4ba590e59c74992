package dev.tinify.cli;

import dev.tinify.Codec;
import dev.tinify.TargetSearch;
import dev.tinify.TinifyException;
import dev.tinify.eval.ClassicCodecs;
import dev.tinify.VideoCodec;
import dev.tinify.runtime.container.AtomicFiles;
import dev.tinify.runtime.container.OutputFiles;
import dev.tinify.runtime.container.TfyContainer;
import dev.tinify.runtime.image.AlphaMode;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.image.Tiling;
import dev.tinify.runtime.pointcloud.PointCloudFiles;
import dev.tinify.runtime.metrics.Bpp;
import dev.tinify.runtime.refine.Refinement;
import dev.tinify.runtime.video.files.ColorSpace;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tinify encode IMAGE|DIR|CLIP|- -m MODEL -q Q -o OUT}: compresses an image, a folder of them, or a clip into .tfy files. */
@Command(name = "encode", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compress an image into a .tfy file, or every image of a folder into a folder of .tfy files.",
                "With -m ssf2020, a clip (a .y4m file or a folder of numbered PNG frames) into a .tfy video.",
                "With a point-cloud model, a .ply cloud or an .off mesh (sampled to --points points, seeded) into a .tfy point "
                        + "cloud; prints bits per input point, D1/D2 PSNR (pc_error) and the Chamfer distance; --recon OUT.ply.",
                "Reads PNG (8/16-bit), JPEG and PNM, grey or RGB, with or without alpha; - reads the image from stdin, -o - "
                        + "writes the .tfy to stdout (the summary then goes to stderr).",
                "The image is padded to the model's stride (centred, as CompressAI); bpp counts the entropy-coded bytes "
                        + "over the original pixels, as CompressAI reports it.",
                "Images larger than --tile pixels on a side are coded as overlapping tiles, blended over the overlap when decoded.",
                "A folder is encoded over --jobs workers with a progress bar and a summary table; outputs newer than their "
                        + "inputs are kept, so an interrupted run resumes."})
final class EncodeCommand extends ToolCommand {
    @Parameters(index = "0", paramLabel = "IMAGE|DIR|CLIP|CLOUD|-",
            description = "The image to compress, a folder of images, a clip (-m ssf2020), a .ply/.off point cloud, or - for stdin.")
    String input = "";

    @Mixin
    ModelOptions model = new ModelOptions();

    @Mixin
    RefineOptions refine = new RefineOptions();

    @Mixin
    TargetOptions targets = new TargetOptions();

    @Mixin
    CloudOptions cloud = new CloudOptions();

    @Option(names = {"-q", "--quality"}, paramLabel = "Q",
            description = {"Quality level of the zoo entry (1..8 for the bundled specs); a spec without a zoo section takes none.",
                    "A variable-rate model (e.g. bmshj2018-hyperprior-vbr) takes any real Q from 1 to its number of trained "
                            + "levels: -q 3.5 codes between trained gains 3 and 4 (interpolated geometrically), and the file "
                            + "records Q, so decode needs no option."})
    double quality;

    @Option(names = "--weights", paramLabel = "W.safetensors",
            description = "Weights (CompressAI state dict); default: the shipped weights of the zoo entry, if any.")
    @Nullable Path weights;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.tfy|OUTDIR|-",
            description = "Where to write the .tfy file (atomically), the folder for a folder of images, or - for stdout.")
    String output = "";

    @Option(names = "--alpha", paramLabel = "MODE", defaultValue = "drop",
            description = "Alpha channel: drop (keep stored colours, as CompressAI) or white (composite over white).")
    String alpha = "drop";

    @Option(names = "--tile", paramLabel = "PX", defaultValue = "1024",
            description = "Tile side for large images, 0 to code every image whole (default: ${DEFAULT-VALUE}; overlap 64).")
    int tile = 1024;

    @Option(names = "--jobs", paramLabel = "N", defaultValue = "1",
            description = "Files encoded at once for a folder, each worker with its own model (default: ${DEFAULT-VALUE}).")
    int jobs = 1;

    @Option(names = "--metrics", description = "Also decode and print PSNR and MS-SSIM against the input.")
    boolean metrics;

    @Option(names = "--recon", paramLabel = "OUT.png",
            description = "Also write the reconstruction as PNG (atomically; a clip: OUT.y4m or a new folder of PNG frames); implies --metrics.")
    @Nullable Path recon;

    @Option(names = "--json", description = "Print a JSON object instead of text.")
    boolean json;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Option(names = "--gop", paramLabel = "N", defaultValue = "12", description = "Video: a keyframe every N frames (default 12).")
    int gop = 12;

    @Option(names = "--fps", paramLabel = "N[:D]", defaultValue = "25",
            description = "Video from a folder of PNG frames: its frame rate (default 25).")
    String fps = "25";

    @Option(names = "--colour", paramLabel = "MATRIX:RANGE", defaultValue = "bt709:full",
            description = "Video: the Y4M colour space, bt601|bt709 : full|limited (default bt709:full, as CompressAI's video evaluation).")
    String colour = "bt709:full";

    @Override
    int execute() throws Exception {
        Tiling tiling = tile == 0 ? Tiling.NONE : new Tiling(tile, Math.min(Codec.DEFAULT_TILING.overlap(), tile / 4));
        Path in = input.equals("-") ? null : Path.of(input);
        boolean toStdout = output.equals("-");
        Refinement refinement = refine.refinement();
        if (in != null && VideoCli.isClip(in) && (model.model.equals(VideoCodec.ARCHITECTURE) || !Files.isDirectory(in))) {
            if (refinement.enabled()) {
                throw new TinifyException("--refine applies to images, not to clips");
            }
            if (!targets.targets().isEmpty()) {
                throw new TinifyException("--target-bpp and --target-psnr apply to images, not to clips");
            }
            if (quality != zooQuality()) {
                throw new TinifyException("-q " + quality + ": a clip is coded at one of " + VideoCodec.ARCHITECTURE
                        + "'s zoo qualities (an integer)");
            }
            if (toStdout) {
                throw new TinifyException(in + " is a clip: give -o OUT.tfy, a file (a video is written with a seekable index)");
            }
            Path out = Path.of(output);
            OutputFiles.checkNotInput(out, in, weights);
            if (recon != null) {
                OutputFiles.checkNotInput(recon, in, weights);
                OutputFiles.checkDistinct(recon, out);
            }
            return VideoCli.encode(this, in, model.model, model.metric(), model.set, model.coder, zooQuality(), weights, out, recon, gop,
                    colourSpace(colour), VideoCli.fps(fps), json, model.allowUntrained);
        }
        if (in != null && PointCloudFiles.hasCloudName(in)) {
            if (toStdout || refinement.enabled() || !targets.targets().isEmpty()) {
                throw new TinifyException(in + " is a point cloud: give -o OUT.tfy (a file), without --refine or a target");
            }
            if (quality != zooQuality()) {
                throw new TinifyException("-q " + quality + ": a point cloud is coded at one of the model's zoo qualities (an integer)");
            }
            Path out = Path.of(output);
            OutputFiles.checkNotInput(out, in, weights);
            if (recon != null) {
                PointCloudCli.plyOutput(recon, "--recon");
                OutputFiles.checkNotInput(recon, in, weights);
                OutputFiles.checkDistinct(recon, out);
            }
            return PointCloudCli.encode(this, in, model, zooQuality(), weights, out, recon, cloud.options(), json);
        }
        if (in != null && Files.isDirectory(in)) {
            return folder(in, tiling, refinement);
        }
        if (!toStdout) {
            OutputFiles.checkNotInput(Path.of(output), in, weights);
        }
        if (recon != null) {
            OutputFiles.checkNotInput(recon, in, weights);
            if (!toStdout) {
                OutputFiles.checkDistinct(recon, Path.of(output));
            }
        }
        RgbImage source = in == null ? ImageFiles.decode(System.in.readAllBytes(), alphaMode(alpha)) : ImageFiles.read(in, alphaMode(alpha));
        TargetSearch.@Nullable Target target = target();
        if (target == null) {
            try (Codec codec = open(tiling)) {
                long start = System.nanoTime();
                TfyContainer container = codec.compress(source, refinement);
                write(source, codec, container, (System.nanoTime() - start) / 1e9, refinement, null);
            }
        } else {
            try (TargetCoding coding = targetCoding(tiling)) {
                TargetSearch.Outcome outcome = coding.search(source, target, refinement);
                write(source, coding.codecOf(outcome), outcome.chosen().container(), outcome.seconds(), refinement, outcome);
            }
        }
        return 0;
    }

    /** Writes {@code container} where -o says and reports it (with the search that chose it, if any). */
    private void write(RgbImage source, Codec codec, TfyContainer container, double seconds, Refinement refinement,
            TargetSearch.@Nullable Outcome outcome) throws Exception {
        boolean toStdout = output.equals("-");
        PrintWriter report = toStdout ? err() : out();
        byte[] bytes = container.toBytes();
        if (toStdout) {
            System.out.write(bytes);
            System.out.flush();
        } else {
            AtomicFiles.write(Path.of(output), bytes);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("input", input);
        r.put("output", output);
        r.put("architecture", container.architecture());
        r.put("spec_hash", container.specHash());
        r.put("quality", Json.quality(container));
        r.put("metric", container.metric());
        r.put("coder", container.entropyCoder());
        r.put("width", container.width());
        r.put("height", container.height());
        r.put("padding", container.padding().toString());
        r.put("tiles", container.segments().size());
        r.put("string_bytes", container.stringBytes());
        r.put("file_bytes", (long) bytes.length);
        r.put("bpp", Bpp.of(container.stringBytes(), source.height(), source.width()));
        r.put("encoding_time", seconds);
        r.put("refine_steps", refinement.steps());
        if (refinement.enabled()) {
            r.put("refine_method", refinement.method().id());
            r.put("refine_lr", refinement.learningRate());
        }
        r.put("weights", codec.weights() == null ? "untrained" : String.valueOf(codec.weights()));
        r.put("weights_fingerprint", container.weightsFingerprint());
        if (outcome != null) {
            r.put("target", Map.of(outcome.target().measure().id(), outcome.target().value()));
            r.put("target_met", outcome.met());
            r.put("target_passes", outcome.passes().size());
            r.put("target_search", outcome.passes().stream().map(p -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("quality", Json.quality(p.container()));
                m.put("bpp", p.bpp());
                if (p.decoded() != null) {
                    m.put("psnr-rgb", p.psnr());
                }
                return m;
            }).toList());
        }
        // A PSNR target has decoded its file already: its metrics cost nothing more.
        boolean measure = metrics || recon != null || outcome != null && outcome.chosen().decoded() != null;
        if (measure) {
            RgbImage decoded = outcome != null && outcome.chosen().decoded() != null ? outcome.chosen().decoded()
                    : codec.decompress(container);
            r.putAll(Quality.measure(source, decoded));
            if (recon != null) {
                ImageFiles.writePng(decoded, recon);
                r.put("reconstruction", recon.toString());
            }
        }
        if (json) {
            Json.print(report, r);
        } else {
            report.println(String.format(Locale.ROOT, "%s -> %s: %dx%d, %s q%s %s, %s%s; %d bytes (%d coded), %.4f bpp, encoded in %.3f s",
                    input, output, source.width(), source.height(), container.architecture(), container.qualityLabel(),
                    container.metric(), container.entropyCoder(),
                    container.tiling().tiled() ? ", " + container.segments().size() + " tiles" : "", bytes.length,
                    container.stringBytes(), (double) r.get("bpp"), seconds)
                    + (refinement.enabled() ? " (latent refined: " + RefineOptions.describe(refinement) + ")" : ""));
            if (outcome != null) {
                report.println("target " + outcome.target().label() + ": chose " + TargetCoding.describe(outcome) + "; passes: "
                        + outcome.passes().stream().map(p -> String.format(Locale.ROOT, "q%s %.4f bpp%s",
                                p.container().qualityLabel(), p.bpp(), p.decoded() != null
                                        ? String.format(Locale.ROOT, " %.3f dB", p.psnr()) : "")).toList());
            }
            if (measure) {
                report.println(Quality.format(r) + (recon != null ? "; reconstruction: " + recon : ""));
            }
        }
        report.flush();
    }

    /** The one target of --target-bpp / --target-psnr, or null; refused together with -q. */
    private TargetSearch.@Nullable Target target() {
        List<TargetSearch.Target> list = targets.targets();
        if (list.isEmpty()) {
            return null;
        }
        if (list.size() > 1) {
            throw new IllegalArgumentException("encode takes one target, got " + list.size() + " (eval takes a list)");
        }
        if (cmd.commandLine().getParseResult().hasMatchedOption("-q")) {
            throw new IllegalArgumentException("-q and " + "--target-" + list.get(0).measure().id()
                    + " exclude each other: the target chooses the quality");
        }
        return list.get(0);
    }

    private TargetCoding targetCoding(Tiling tiling) {
        TargetCoding coding = new TargetCoding(model, weights, tiling);
        if (!coding.trained()) {
            warnUntrained(coding.describe());
        }
        return coding;
    }

    private Codec open(Tiling tiling) {
        Codec codec = model.open(zooQuality(), weights);
        try {
            if (quality != zooQuality()) {
                codec.useQuality(quality);
            }
        } catch (RuntimeException e) {
            codec.close();
            throw e;
        }
        if (!codec.trained()) {
            warnUntrained(codec.describe());
        }
        codec.useTiling(tiling);
        return codec;
    }

    /** The zoo quality a model is opened at: {@code -q}, or its integer part for a variable-rate model's real-valued one. */
    private int zooQuality() {
        if (!Double.isFinite(quality)) {
            throw new IllegalArgumentException("-q " + quality + ": expected a number");
        }
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Math.floor(quality)));
    }

    /** Every image of {@code dir} into {@code -o} as a folder; exit status 1 if any file failed. */
    private int folder(Path dir, Tiling tiling, Refinement refinement) throws Exception {
        if (output.equals("-") || recon != null) {
            throw new TinifyException(dir + " is a folder: give -o OUTDIR (a folder), without --recon");
        }
        Path outDir = Path.of(output);
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
            throw new TinifyException(outDir + ": not a folder (encoding the folder " + dir + " writes one .tfy per image into it)");
        }
        if (jobs < 1) {
            throw new TinifyException("--jobs must be at least 1, got " + jobs);
        }
        List<Path> images = ClassicCodecs.imagesIn(dir);
        AlphaMode mode = alphaMode(alpha);
        TargetSearch.@Nullable Target target = target();
        // Opened before the workers, so that a bad model, weights or untrained refusal stops the run once, not per file.
        if (target == null) {
            open(tiling).close();
        } else {
            targetCoding(tiling).close();
        }
        List<Batch.Row> rows = Batch.run(images, outDir, ".tfy", jobs, quiet, () -> {
            Codec codec = target == null ? open(tiling) : null;
            TargetCoding coding = target == null ? null : new TargetCoding(model, weights, tiling);
            return new Batch.Worker() {
                @Override
                public Batch.Row process(Path in, Path out) throws Exception {
                    RgbImage source = ImageFiles.read(in, mode);
                    long start = System.nanoTime();
                    TargetSearch.Outcome outcome = coding == null ? null : coding.search(source, target, refinement);
                    TfyContainer c = outcome == null ? codec.compress(source, refinement) : outcome.chosen().container();
                    byte[] bytes = c.toBytes();
                    double seconds = (System.nanoTime() - start) / 1e9;
                    AtomicFiles.write(out, bytes);
                    return new Batch.Row(in.getFileName().toString(), c.width(), c.height(), bytes.length,
                            Bpp.of(c.stringBytes(), c.height(), c.width()), seconds,
                            outcome == null ? "encoded" : "encoded at " + TargetCoding.describe(outcome));
                }

                @Override
                public void close() {
                    if (codec != null) {
                        codec.close();
                    }
                    if (coding != null) {
                        coding.close();
                    }
                }
            };
        });
        return Batch.summary(rows, out()) > 0 ? EXIT_FAILURE : 0;
    }

    /** Parses {@code MATRIX:RANGE}, e.g. {@code bt709:full}. */
    static ColorSpace colourSpace(String s) {
        String[] p = s.split(":", -1);
        if (p.length != 2) {
            throw new IllegalArgumentException("--colour " + s + ": expected MATRIX:RANGE, e.g. bt709:full or bt601:limited");
        }
        return ColorSpace.of(p[0].trim(), p[1].trim());
    }

    static AlphaMode alphaMode(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "drop" -> AlphaMode.DROP;
            case "white", "composite", "composite-white" -> AlphaMode.COMPOSITE_WHITE;
            default -> throw new IllegalArgumentException("--alpha " + s + ": expected drop or white");
        };
    }
}
