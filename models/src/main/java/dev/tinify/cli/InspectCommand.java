package dev.tinify.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tinify.Tinify;
import dev.tinify.TinifyException;
import dev.tinify.inspect.ModelInspector;
import dev.tinify.inspect.ModuleNode;
import dev.tinify.runtime.model.CompressionModel;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tinify inspect SPEC}: module tree, shapes and parameter counts. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Print a spec's module tree with shapes and parameter counts.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SPEC", description = "Spec file or bundled spec name (e.g. bmshj2018-hyperprior).")
    String spec;

    @Option(names = "--set", paramLabel = "NAME=VALUE", description = "Override a spec parameter, e.g. --set N=16 (repeatable).")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--input", paramLabel = "BxCxHxW", description = "Input size (default: ${DEFAULT-VALUE}).", defaultValue = "1x3x256x256")
    String input = "1x3x256x256";

    @Option(names = "--json", description = "Print JSON instead of a table (always every module).")
    boolean json;

    @Option(names = "--all", description = "Also list helper modules without parameters or traced shapes (bounds, reparametrizers).")
    boolean all;

    @picocli.CommandLine.Spec
    CommandSpec cmd;

    @Override
    public Integer call() throws Exception {
        long[] shape = parseShape(input);
        try (CompressionModel model = Tinify.build(spec, Params.parse(set))) {
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
