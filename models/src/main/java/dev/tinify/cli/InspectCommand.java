package dev.tinify.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tinify.Tinify;
import dev.tinify.TinifyException;
import dev.tinify.inspect.ModelInspector;
import dev.tinify.inspect.ModuleNode;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.container.PointCloudContainer;
import dev.tinify.runtime.container.TfyContainer;
import dev.tinify.runtime.container.TfyFile;
import dev.tinify.runtime.container.TfyReader;
import dev.tinify.runtime.image.Padding;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tinify inspect SPEC}: module tree, shapes and parameter counts; {@code tinify inspect FILE.tfy}: its header. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Print a spec's module tree with shapes and parameter counts, "
                + "or what a .tfy file holds (model, weights fingerprint, image size, streams) without decoding it."})
final class InspectCommand extends ToolCommand {
    @Option(names = {"-m", "--model"}, paramLabel = "MODEL",
            description = "Spec file or bundled spec name (e.g. bmshj2018-hyperprior) whose modules to print.")
    @Nullable String spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE.tfy", description = "A compressed file whose header to print.")
    @Nullable Path file;

    @Option(names = "--set", paramLabel = "NAME=VALUE", description = "Override a spec parameter, e.g. --set N=16 (repeatable).")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--input", paramLabel = "BxCxHxW", description = "Input size (default: ${DEFAULT-VALUE}).", defaultValue = "1x3x256x256")
    String input = "1x3x256x256";

    @Option(names = "--json", description = "Print JSON instead of a table (always every module).")
    boolean json;

    @Option(names = "--all", description = "Also list helper modules without parameters or traced shapes (bounds, reparametrizers).")
    boolean all;

    @Override
    int execute() throws Exception {
        if ((spec == null) == (file == null)) {
            throw new TinifyException("give a model with -m MODEL, or a FILE.tfy, not " + (spec == null ? "neither" : "both"));
        }
        if (file != null) {
            return inspectContainer(file);
        }
        long[] shape = parseShape(input);
        try (CompressionModel model = Tinify.build(spec, Params.parse(set))) {
            int f = model.downsamplingFactor();
            if (shape[2] % f != 0 || shape[3] % f != 0) {
                throw new TinifyException("--input " + input + ": " + model.name() + " needs a height and width that are multiples of "
                        + f + " (its total stride), e.g. 1x3x" + roundUp(shape[2], f) + "x" + roundUp(shape[3], f));
            }
            ModelInspector.Report r = ModelInspector.inspect(model, shape);
            PrintWriter out = cmd.commandLine().getOut();
            if (json) {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toJson(r)));
            } else {
                printTable(r, all, out);
            }
            out.flush();
        }
        return 0;
    }

    private int inspectContainer(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new TinifyException(file + ": no such file");
        }
        // A damaged file is a format error naming the file and what is wrong: exit status 2, as for decode.
        TfyFile any = TfyReader.readAny(file);
        long fileBytes = Files.size(file);
        if (any instanceof PointCloudContainer cloud) {
            return inspectCloud(file, cloud, fileBytes);
        }
        TfyContainer c = (TfyContainer) any;
        long stringBytes = c.stringBytes();
        double bpp = stringBytes * 8.0 / ((double) c.height() * c.width());
        List<List<Integer>> streams = c.segments().get(0).strings().stream().map(s -> s.stream().map(b -> b.length).toList()).toList();
        Padding pad = c.padding();
        PrintWriter out = cmd.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", file.toString());
            m.put("format_version", c.formatVersion());
            m.put("file_bytes", fileBytes);
            m.put("string_bytes", stringBytes);
            m.put("bpp", bpp);
            m.put("architecture", c.architecture());
            m.put("quality", Json.quality(c));
            m.put("metric", c.metric());
            m.put("spec_hash", c.specHash());
            m.put("weights_fingerprint", c.weightsFingerprint());
            m.put("entropy_coder", c.entropyCoder());
            m.put("entropy_params", c.entropyParams());
            m.put("height", c.height());
            m.put("width", c.width());
            m.put("padding", Map.of("left", pad.left(), "right", pad.right(), "top", pad.top(), "bottom", pad.bottom()));
            m.put("tile", c.tiling().tile());
            m.put("tile_overlap", c.tiling().overlap());
            m.put("segments", c.segments().size());
            m.put("latent_shape", c.segments().get(0).shape());
            m.put("stream_bytes", streams);
            Json.print(out, m);
        } else {
            out.printf(Locale.ROOT, "%s: .tfy version %d, %,d bytes (%,d in streams), %.4f bpp%n", file, c.formatVersion(), fileBytes,
                    stringBytes, bpp);
            out.printf(Locale.ROOT, "%-9s %s q%s %s%n", "model", c.architecture(), c.qualityLabel(), c.metric());
            out.printf(Locale.ROOT, "%-9s %s%n", "spec", c.specHash());
            out.printf(Locale.ROOT, "%-9s %s%n", "weights",
                    c.weightsFingerprint() == null ? "not recorded (version 1 file)" : c.weightsFingerprint());
            out.printf(Locale.ROOT, "%-9s %dx%d, coded as %dx%d (padding left %d, right %d, top %d, bottom %d)%s%n", "image",
                    c.width(), c.height(), c.width() + pad.left() + pad.right(), c.height() + pad.top() + pad.bottom(), pad.left(),
                    pad.right(), pad.top(), pad.bottom(), c.tiling().tiled() ? ", in " + c.segments().size() + " " + c.tiling() : "");
            out.printf(Locale.ROOT, "%-9s %s, entropy parameters by %s%n", "coder", c.entropyCoder(), c.entropyParams());
            out.printf(Locale.ROOT, "%-9s %s%s%n", "latent", c.segments().get(0).shape(), c.tiling().tiled() ? " (first tile)" : "");
            for (int i = 0; i < streams.size(); i++) {
                out.printf(Locale.ROOT, "%-9s %s bytes%n", "stream " + i,
                        streams.get(i).stream().map(n -> String.format(Locale.ROOT, "%,d", n)).collect(Collectors.joining(" + ")));
            }
        }
        out.flush();
        return 0;
    }

    private int inspectCloud(Path file, PointCloudContainer c, long fileBytes) {
        List<List<Integer>> streams = c.segment().strings().stream().map(s -> s.stream().map(b -> b.length).toList()).toList();
        PrintWriter out = cmd.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", file.toString());
            m.put("format_version", PointCloudContainer.FORMAT_VERSION);
            m.put("kind", "point_cloud");
            m.put("file_bytes", fileBytes);
            m.put("string_bytes", c.stringBytes());
            m.put("bits_per_point", c.bitsPerPoint());
            m.put("architecture", c.architecture());
            m.put("quality", c.quality());
            m.put("metric", c.metric());
            m.put("spec_hash", c.specHash());
            m.put("weights_fingerprint", c.weightsFingerprint());
            m.put("entropy_coder", c.entropyCoder());
            m.put("entropy_params", c.entropyParams());
            m.put("points", c.pointCount());
            m.put("normalization", Map.of("centre", List.of(c.normalization().x(), c.normalization().y(), c.normalization().z()),
                    "scale", c.normalization().scale()));
            m.put("latent_shape", c.segment().shape());
            m.put("stream_bytes", streams);
            Json.print(out, m);
        } else {
            out.printf(Locale.ROOT, "%s: .tfy version %d point cloud, %,d bytes (%,d in streams), %.4f bits per point%n", file,
                    PointCloudContainer.FORMAT_VERSION, fileBytes, c.stringBytes(), c.bitsPerPoint());
            out.printf(Locale.ROOT, "%-9s %s q%d %s%n", "model", c.architecture(), c.quality(), c.metric());
            out.printf(Locale.ROOT, "%-9s %s%n", "spec", c.specHash());
            out.printf(Locale.ROOT, "%-9s %s%n", "weights", c.weightsFingerprint());
            out.printf(Locale.ROOT, "%-9s %,d, centred on (%s, %s, %s) and divided by %s%n", "points", c.pointCount(),
                    c.normalization().x(), c.normalization().y(), c.normalization().z(), c.normalization().scale());
            out.printf(Locale.ROOT, "%-9s %s, entropy parameters by %s%n", "coder", c.entropyCoder(), c.entropyParams());
            out.printf(Locale.ROOT, "%-9s %s%n", "latent", c.segment().shape());
            for (int i = 0; i < streams.size(); i++) {
                out.printf(Locale.ROOT, "%-9s %s bytes%n", "stream " + i,
                        streams.get(i).stream().map(n -> String.format(Locale.ROOT, "%,d", n)).collect(Collectors.joining(" + ")));
            }
        }
        out.flush();
        return 0;
    }

    private static long roundUp(long v, int f) {
        return (v + f - 1) / f * f;
    }

    static long[] parseShape(String s) {
        String[] parts = s.toLowerCase(Locale.ROOT).split("x");
        if (parts.length != 4) {
            throw new TinifyException("--input " + s + ": expected BxCxHxW, e.g. 1x3x256x256");
        }
        long[] out = new long[4];
        for (int i = 0; i < 4; i++) {
            try {
                out[i] = Long.parseLong(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new TinifyException("--input " + s + ": '" + parts[i] + "' is not a positive integer");
            }
            if (out[i] <= 0) {
                throw new TinifyException("--input " + s + ": sizes must be positive");
            }
        }
        return out;
    }

    private static void printTable(ModelInspector.Report r, boolean all, PrintWriter out) {
        out.println(r.name() + "  " + r.params() + "  input " + shape(r.input()));
        out.println(String.format(Locale.ROOT, "%-40s %-24s %-16s %-16s %12s", "module", "type", "in", "out", "parameters"));
        for (ModuleNode n : r.modules()) {
            print(n, 0, all, out);
        }
        out.println(String.format(Locale.ROOT, "%-99s %12s", "total", String.format(Locale.ROOT, "%,d", r.parameters())));
        r.outputs().forEach((k, v) -> out.println(String.format(Locale.ROOT, "%-14s %s", k, shape(v))));
    }

    private static void print(ModuleNode n, int depth, boolean all, PrintWriter out) {
        if (!all && depth > 0 && n.parameters() == 0 && n.in() == null) {
            return; // a helper such as a lower bound: no weights, no data flow of its own
        }
        String label = "  ".repeat(depth) + n.name().substring(n.name().lastIndexOf('.') + 1);
        out.println(String.format(Locale.ROOT, "%-40s %-24s %-16s %-16s %12s", label, n.type(), shape(n.in()), shape(n.out()),
                String.format(Locale.ROOT, "%,d", n.parameters())));
        for (ModuleNode c : n.children()) {
            print(c, depth + 1, all, out);
        }
    }

    private static String shape(long @Nullable [] s) {
        return s == null ? "-" : Arrays.stream(s).mapToObj(Long::toString).collect(Collectors.joining("x"));
    }

    private static Map<String, Object> toJson(ModelInspector.Report r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.name());
        m.put("params", r.params());
        m.put("input", r.input());
        m.put("parameters", r.parameters());
        m.put("outputs", r.outputs());
        m.put("modules", r.modules().stream().map(InspectCommand::toJson).toList());
        return m;
    }

    private static Map<String, Object> toJson(ModuleNode n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", n.name());
        m.put("type", n.type());
        m.put("parameters", n.parameters());
        m.put("in", n.in());
        m.put("out", n.out());
        List<Map<String, Object>> kids = n.children().stream().map(InspectCommand::toJson).toList();
        if (!kids.isEmpty()) {
            m.put("children", kids);
        }
        return m;
    }
}
