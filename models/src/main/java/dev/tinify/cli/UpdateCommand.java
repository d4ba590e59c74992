package dev.tinify.cli;

import dev.tinify.Codec;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.container.AtomicFiles;
import dev.tinify.runtime.nn.Param;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tinify update CKPT.safetensors -m MODEL -q Q}: recomputes a checkpoint's CDF tables. */
@Command(name = "update", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Recompute the CDF tables of a checkpoint and save it.",
                "As CompressAI's update(force=True).",
                "Every other tensor is written back unchanged, in its stored type."})
final class UpdateCommand extends ToolCommand {
    @Parameters(index = "0", paramLabel = "CKPT.safetensors", description = "The checkpoint (CompressAI state dict).")
    Path checkpoint = Path.of("");

    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = {"-q", "--quality"}, required = true, paramLabel = "Q", description = "Quality level of the zoo entry.")
    int quality;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT.safetensors", description = "Where to write (atomically); default: replace CKPT.")
    @Nullable Path output;

    @Override
    int execute() throws Exception {
        Map<String, SafeTensors.Tensor> stored = SafeTensors.read(checkpoint);
        Path target = output != null ? output : checkpoint;
        try (Codec codec = Codec.open(model.model, quality, model.metric(), model.overrides(), checkpoint)) {
            codec.model().update(true);
            Map<String, Param> state = codec.model().stateDict();
            Map<String, SafeTensors.Tensor> out = new LinkedHashMap<>();
            int tables = 0;
            for (Map.Entry<String, SafeTensors.Tensor> e : stored.entrySet()) {
                String key = e.getKey();
                if (StateDicts.RESIZED_ON_LOAD.contains(key.substring(key.lastIndexOf('.') + 1))) {
                    out.put(key, StateDicts.toTensor(state.get(key).value(), false));
                    tables++;
                } else {
                    out.put(key, e.getValue());
                }
            }
            AtomicFiles.write(target, os -> SafeTensors.write(out, os));
            out().println(checkpoint + ": recomputed " + tables + " table tensors of " + codec.describe() + " -> " + target);
        }
        return 0;
    }
}
