package dev.tinify.cli;

import dev.tinify.Codec;
import dev.tinify.UndecodableFileException;
import dev.tinify.runtime.container.TfyContainer;
import dev.tinify.runtime.container.TinifyFormatException;
import dev.tinify.runtime.container.OutputFiles;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.video.stream.VideoFileReader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tinify decode IN.tfy -o OUT.png}: decompresses a .tfy file into an 8-bit PNG. */
@Command(name = "decode", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Decompress a .tfy file into an 8-bit RGB PNG; a .tfy video into OUT.y4m or a new folder of PNG frames.",
                "The model is rebuilt from the architecture, quality and metric the file records and must have "
                        + "the recorded spec hash and the weights the file was encoded with (their fingerprint).",
                "A damaged file, or one encoded with other weights, exits with status 2 and writes nothing."})
final class DecodeCommand extends ToolCommand {
    @Parameters(index = "0", paramLabel = "IN.tfy", description = "The compressed file.")
    Path input = Path.of("");

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.png", description = "Where to write the PNG (atomically).")
    Path output = Path.of("");

    @Option(names = {"-m", "--model"}, paramLabel = "SPEC",
            description = "Spec file, when the file was encoded with one (default: the bundled spec the file names).")
    @Nullable String model;

    @Option(names = "--set", paramLabel = "NAME=VALUE", description = "The spec overrides used for encoding (repeatable).")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--weights", paramLabel = "W.safetensors",
            description = "The weights used for encoding; default: the shipped weights of the zoo entry, if any.")
    @Nullable Path weights;

    @Option(names = "--metrics", paramLabel = "SRC", description = "Print PSNR and MS-SSIM against this source image.")
    @Nullable Path metrics;

    @Option(names = "--json", description = "Print a JSON object instead of text.")
    boolean json;

    @Override
    int execute() throws Exception {
        OutputFiles.checkNotInput(output, input, metrics, weights, model == null ? null : Path.of(model));
        if (VideoFileReader.isVideo(input)) {
            return VideoCli.decode(this, input, output, weights, metrics, json);
        }
        TfyContainer container = TfyContainer.read(input);
        @Nullable RgbImage source = metrics == null ? null : ImageFiles.read(metrics);
        try (Codec codec = forContainer(container)) {
            if (!codec.trained()) {
                warnUntrained(codec.describe());
            }
            if (container.weightsFingerprint() == null) {
                err().println("WARNING: " + input + ": a version " + container.formatVersion()
                        + " .tfy file records no weights fingerprint: the weights cannot be verified");
                err().flush();
            }
            long start = System.nanoTime();
            RgbImage decoded;
            try {
                decoded = codec.decompress(container);
            } catch (TinifyFormatException e) {
                throw new TinifyFormatException(input + ": " + e.getMessage());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            ImageFiles.writePng(decoded, output);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("input", input.toString());
            r.put("output", output.toString());
            r.put("architecture", container.architecture());
            r.put("quality", container.quality());
            r.put("metric", container.metric());
            r.put("coder", container.entropyCoder());
            r.put("weights_fingerprint", container.weightsFingerprint());
            r.put("height", decoded.height());
            r.put("width", decoded.width());
            r.put("decoding_time", seconds);
            if (source != null) {
                r.putAll(Quality.measure(source, decoded));
            }
            if (json) {
                Json.print(out(), r);
            } else {
                out().println(String.format(Locale.ROOT, "%s -> %s: %dx%d, %s q%d %s, decoded in %.3f s", input, output,
                        decoded.width(), decoded.height(), container.architecture(), container.quality(), container.metric(), seconds));
                if (source != null) {
                    out().println(Quality.format(r));
                }
            }
        }
        return 0;
    }

    /** The model that wrote {@code container}; what makes the file undecodable is said with the file's name. */
    private Codec forContainer(TfyContainer container) {
        try {
            return Codec.forContainer(container, model, Params.parse(set), weights);
        } catch (UndecodableFileException e) {
            throw new UndecodableFileException(input + ": " + e.getMessage(), e);
        }
    }
}
