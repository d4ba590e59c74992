package dev.tinify.cli;

import dev.tinify.zoo.WeightsImport;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tinify import IN.pth.tar -m ARCH -o OUT.safetensors}: a PyTorch checkpoint converted once. */
@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Convert a PyTorch checkpoint (.pth.tar, zip or legacy; or safetensors with older key names) into a "
                + "safetensors state dict of a spec, with OUT.json beside it (the spec parameters, as export writes them).",
                "Parameters not given with --set are inferred from the tensor shapes; empty CDF tables are computed."})
final class ImportCommand extends ToolCommand {
    @Parameters(index = "0", paramLabel = "IN", description = "The checkpoint (read without executing anything).")
    Path input = Path.of("");

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL",
            description = "Spec file or bundled spec name (e.g. bmshj2018-hyperprior).")
    String model = "";

    @Option(names = "--set", paramLabel = "NAME=VALUE", description = "A spec parameter, e.g. --set N=192 (repeatable).")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.safetensors", description = "Where to write (atomically).")
    Path output = Path.of("");

    @Override
    int execute() throws Exception {
        WeightsImport.Result r = WeightsImport.run(input, model, Params.parse(set), output);
        if (!r.computedTables().isEmpty()) {
            err().println("tinify import: " + input + ": saved before update(): computed its " + r.computedTables().size()
                    + " empty CDF table tensors (default scale table)");
        }
        out().println(input + " -> " + r.weights() + " (" + r.tensors() + " tensors, " + r.params()
                + (r.inferred().isEmpty() ? "" : ", inferred " + String.join(", ", r.inferred())) + ") and " + r.metadata());
        return 0;
    }
}
