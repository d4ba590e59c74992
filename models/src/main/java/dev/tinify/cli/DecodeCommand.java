package dev.tinify.cli;

import dev.tinify.Codec;
import dev.tinify.TinifyException;
import dev.tinify.UndecodableFileException;
import dev.tinify.runtime.container.AtomicFiles;
import dev.tinify.runtime.container.OutputFiles;
import dev.tinify.runtime.container.PointCloudContainer;
import dev.tinify.runtime.container.TfyContainer;
import dev.tinify.runtime.container.TfyFile;
import dev.tinify.runtime.container.TfyReader;
import dev.tinify.runtime.container.TinifyFormatException;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.video.stream.VideoFileReader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tinify decode IN.tfy|DIR|- -o OUT.png|OUTDIR|-}: decompresses .tfy files into 8-bit PNGs, a .tfy video into frames. */
@Command(name = "decode", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Decompress a .tfy file into an 8-bit RGB PNG, or every .tfy file of a folder into a folder of PNGs; "
                + "a .tfy video into OUT.y4m or a new folder of PNG frames.",
                "The model is rebuilt from the architecture, quality and metric the file records and must have "
                        + "the recorded spec hash and the weights the file was encoded with (their fingerprint).",
                "- reads the .tfy from stdin, -o - writes the PNG to stdout (the summary then goes to stderr).",
                "A .tfy point cloud is decoded into OUT.ply (binary), printing its bits per input point.",
                "A damaged file, or one encoded with other weights, exits with status 2 and writes nothing."})
final class DecodeCommand extends ToolCommand {
    @Parameters(index = "0", paramLabel = "IN.tfy|DIR|-", description = "The compressed file, a folder of them, or - for stdin.")
    String input = "";

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.png|OUTDIR|-",
            description = "Where to write the PNG (atomically), the folder for a folder of .tfy files, or - for stdout.")
    String output = "";

    @Option(names = {"-m", "--model"}, paramLabel = "SPEC",
            description = "Spec file, when the file was encoded with one (default: the bundled spec the file names).")
    @Nullable String model;

    @Option(names = "--set", paramLabel = "NAME=VALUE", description = "The spec overrides used for encoding (repeatable).")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--weights", paramLabel = "W.safetensors",
            description = "The weights used for encoding; default: the shipped weights of the zoo entry, if any.")
    @Nullable Path weights;

    @Option(names = "--allow-untrained",
            description = "Go on with a model that has no trained weights (the output is not a useful picture).")
    boolean allowUntrained;

    @Option(names = "--metrics", paramLabel = "SRC",
            description = "Print PSNR and MS-SSIM against this source image (a point cloud: D1/D2 PSNR and Chamfer against this PLY/OFF).")
    @Nullable Path metrics;

    @Option(names = "--json", description = "Print a JSON object instead of text.")
    boolean json;

    @Mixin
    CloudOptions cloud = new CloudOptions();

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Override
    int execute() throws Exception {
        Path in = input.equals("-") ? null : Path.of(input);
        boolean toStdout = output.equals("-");
        if (in != null && Files.isDirectory(in)) {
            return folder(in);
        }
        if (!toStdout) {
            OutputFiles.checkNotInput(Path.of(output), in, metrics, weights, model == null ? null : Path.of(model));
        }
        if (in != null && VideoFileReader.isVideo(in)) {
            if (toStdout) {
                throw new TinifyException(in + " is a video: give -o OUT.y4m or -o FRAMES/, not -");
            }
            return VideoCli.decode(this, in, Path.of(output), weights, metrics, json, allowUntrained);
        }
        TfyFile file;
        try {
            file = in == null ? TfyReader.parseAny(System.in.readAllBytes()) : TfyReader.readAny(in);
        } catch (TinifyFormatException e) {
            throw input.equals("-") ? new TinifyFormatException("stdin: " + e.getMessage()) : e;
        }
        if (file instanceof PointCloudContainer cloudFile) {
            if (toStdout) {
                throw new TinifyException(input + " is a point cloud: give -o OUT.ply, not -");
            }
            return PointCloudCli.decode(this, input, cloudFile, model, Params.parse(set), weights, allowUntrained,
                    PointCloudCli.plyOutput(Path.of(output), "-o"),
                    metrics, cloud.options(), json);
        }
        TfyContainer container = (TfyContainer) file;
        @Nullable RgbImage source = metrics == null ? null : ImageFiles.read(metrics);
        PrintWriter report = toStdout ? err() : out();
        try (Codec codec = open(container)) {
            long start = System.nanoTime();
            RgbImage decoded;
            try {
                decoded = codec.decompress(container);
            } catch (TinifyFormatException e) {
                throw new TinifyFormatException(input + ": " + e.getMessage());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (toStdout) {
                System.out.write(ImageFiles.encodePng(decoded));
                System.out.flush();
            } else {
                ImageFiles.writePng(decoded, Path.of(output));
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("input", input);
            r.put("output", output);
            r.put("architecture", container.architecture());
            r.put("quality", Json.quality(container));
            r.put("metric", container.metric());
            r.put("coder", container.entropyCoder());
            r.put("weights_fingerprint", container.weightsFingerprint());
            r.put("width", decoded.width());
            r.put("height", decoded.height());
            r.put("tiles", container.segments().size());
            r.put("decoding_time", seconds);
            if (source != null) {
                r.putAll(Quality.measure(source, decoded));
            }
            if (json) {
                Json.print(report, r);
            } else {
                report.println(String.format(Locale.ROOT, "%s -> %s: %dx%d, %s q%s %s, decoded in %.3f s", input, output,
                        decoded.width(), decoded.height(), container.architecture(), container.qualityLabel(), container.metric(), seconds));
                if (source != null) {
                    report.println(Quality.format(r));
                }
            }
            report.flush();
        }
        return 0;
    }

    /**
     * The model {@code container} names, with the command's spec, overrides and weights; what makes
     * the file undecodable is said with the file's name; warns about what cannot be verified.
     */
    private Codec open(TfyContainer container) {
        Codec codec;
        try {
            codec = Codec.forContainer(container, model, Params.parse(set), weights);
        } catch (UndecodableFileException e) {
            throw new UndecodableFileException(input + ": " + e.getMessage(), e);
        }
        try {
            if (!allowUntrained) {
                codec.refuseUntrained("pass --weights with the file that encoded it, or --allow-untrained if it was encoded untrained");
            } else if (!codec.trained()) {
                warnUntrained(codec.describe());
            }
        } catch (RuntimeException e) {
            codec.close();
            throw e;
        }
        if (container.weightsFingerprint() == null) {
            err().println("WARNING: " + input + ": a version " + container.formatVersion()
                    + " .tfy file records no weights fingerprint: the weights cannot be verified");
            err().flush();
        }
        return codec;
    }

    /** Every .tfy file of {@code dir} into {@code -o} as a folder of PNGs; exit status 1 if any file failed. */
    private int folder(Path dir) throws Exception {
        if (output.equals("-") || metrics != null) {
            throw new TinifyException(dir + " is a folder: give -o OUTDIR (a folder), without --metrics");
        }
        Path outDir = Path.of(output);
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
            throw new TinifyException(outDir + ": not a folder (decoding the folder " + dir + " writes one PNG per .tfy into it)");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".tfy")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new TinifyException(dir + " holds no .tfy files");
        }
        // Files may name different models: each is opened for its own header.
        List<Batch.Row> rows = Batch.run(files, outDir, ".png", 1, quiet, () -> new Batch.Worker() {
            @Override
            public Batch.Row process(Path in, Path out) throws Exception {
                TfyContainer c = TfyContainer.read(in);
                try (Codec codec = open(c)) {
                    long start = System.nanoTime();
                    RgbImage decoded = codec.decompress(c);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    byte[] png = ImageFiles.encodePng(decoded);
                    AtomicFiles.write(out, png);
                    return new Batch.Row(in.getFileName().toString(), decoded.width(), decoded.height(), png.length, Double.NaN,
                            seconds, "decoded");
                }
            }

            @Override
            public void close() {}
        });
        return Batch.summary(rows, out()) > 0 ? EXIT_FAILURE : 0;
    }
}
