package dev.tinify.cli;

import dev.tinify.Codec;
import dev.tinify.runtime.container.TfyContainer;
import dev.tinify.runtime.container.OutputFiles;
import dev.tinify.runtime.image.AlphaMode;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.metrics.Bpp;
import dev.tinify.runtime.video.files.ColorSpace;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tinify encode IMAGE -m MODEL -q Q -o OUT.tfy}: compresses an image into a .tfy file. */
@Command(name = "encode", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compress an image, or a clip (a .y4m file or a folder of numbered PNG frames, -m ssf2020), into a .tfy file.",
                "Reads PNG (8/16-bit), JPEG and PNM, grey or RGB, with or without alpha.",
                "The image is padded to the model's stride (centred, as CompressAI); bpp counts the "
                        + "entropy-coded bytes over the original pixels, as CompressAI reports it."})
final class EncodeCommand extends ToolCommand {
    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image to compress.")
    Path image = Path.of("");

    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = {"-q", "--quality"}, paramLabel = "Q",
            description = "Quality level of the zoo entry (1..8 for the bundled specs); a spec without a zoo section takes none.")
    int quality;

    @Option(names = "--weights", paramLabel = "W.safetensors",
            description = "Weights (CompressAI state dict); default: the shipped weights of the zoo entry, if any.")
    @Nullable Path weights;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.tfy", description = "Where to write the .tfy file (atomically).")
    Path output = Path.of("");

    @Option(names = "--alpha", paramLabel = "MODE", defaultValue = "drop",
            description = "Alpha channel: drop (keep stored colours, as CompressAI) or white (composite over white).")
    String alpha = "drop";

    @Option(names = "--metrics", description = "Also decode and print PSNR and MS-SSIM against the input.")
    boolean metrics;

    @Option(names = "--recon", paramLabel = "OUT.png",
            description = "Also write the reconstruction as PNG (atomically; a clip: OUT.y4m or a new folder of PNG frames); implies --metrics.")
    @Nullable Path recon;

    @Option(names = "--json", description = "Print a JSON object instead of text.")
    boolean json;

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
        OutputFiles.checkNotInput(output, image, weights);
        if (recon != null) {
            OutputFiles.checkNotInput(recon, image, weights);
            OutputFiles.checkDistinct(recon, output);
        }
        if (VideoCli.isClip(image)) {
            return VideoCli.encode(this, image, model.model, model.metric(), model.set, model.coder, quality, weights, output, recon, gop,
                    colourSpace(colour), VideoCli.fps(fps), json);
        }
        RgbImage source = ImageFiles.read(image, alphaMode(alpha));
        try (Codec codec = Codec.open(model.model, quality, model.metric(), model.overrides(), weights)) {
            codec.useCoder(model.coder);
            if (!codec.trained()) {
                warnUntrained(codec.describe());
            }
            long start = System.nanoTime();
            TfyContainer container = codec.compress(source);
            byte[] bytes = container.toBytes();
            double seconds = (System.nanoTime() - start) / 1e9;
            container.write(output);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("input", image.toString());
            r.put("output", output.toString());
            r.put("architecture", container.architecture());
            r.put("spec_hash", container.specHash());
            r.put("quality", container.quality());
            r.put("metric", container.metric());
            r.put("coder", container.entropyCoder());
            r.put("height", container.height());
            r.put("width", container.width());
            r.put("padding", container.padding().toString());
            r.put("string_bytes", container.stringBytes());
            r.put("file_bytes", (long) bytes.length);
            r.put("bpp", Bpp.of(container.stringBytes(), source.height(), source.width()));
            r.put("encoding_time", seconds);
            r.put("weights", codec.weights() == null ? "untrained" : String.valueOf(codec.weights()));
            r.put("weights_fingerprint", container.weightsFingerprint());
            boolean measure = metrics || recon != null;
            if (measure) {
                RgbImage decoded = codec.decompress(container);
                r.putAll(Quality.measure(source, decoded));
                if (recon != null) {
                    ImageFiles.writePng(decoded, recon);
                    r.put("reconstruction", recon.toString());
                }
            }
            if (json) {
                Json.print(out(), r);
            } else {
                out().println(String.format(Locale.ROOT, "%s -> %s: %dx%d, %s q%d %s, %s; %d bytes (%d coded), %.4f bpp, encoded in %.3f s",
                        image, output, source.width(), source.height(), container.architecture(), container.quality(),
                        container.metric(), container.entropyCoder(), bytes.length, container.stringBytes(), (double) r.get("bpp"),
                        seconds));
                if (measure) {
                    out().println(Quality.format(r) + (recon != null ? "; reconstruction: " + recon : ""));
                }
            }
        }
        return 0;
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
