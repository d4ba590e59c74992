package dev.tinify.cli;

import dev.tinify.Codec;
import dev.tinify.dsl.Metric;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The options that choose a model configuration, the same in every command: {@code -m} model, metric, overrides and entropy coder. */
final class ModelOptions {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL",
            description = "Spec file or bundled spec name (e.g. bmshj2018-hyperprior).")
    String model = "";

    @Option(names = "--metric", paramLabel = "METRIC", defaultValue = "mse",
            description = "Distortion the weights were trained for: mse or ms-ssim (default: ${DEFAULT-VALUE}).")
    Metric metric = Metric.MSE;

    @Option(names = "--set", paramLabel = "NAME=VALUE",
            description = "Override a spec parameter, e.g. --set N=16 (repeatable; the decoder needs the same).")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--coder", paramLabel = "CODER", defaultValue = "ans",
            description = "Entropy coder: ans (CompressAI's rANS) or range (default: ${DEFAULT-VALUE}).")
    String coder = "ans";

    @Option(names = "--allow-untrained",
            description = "Go on with a model that has no trained weights (the output is not a useful picture).")
    boolean allowUntrained;

    /**
     * Opens the model at {@code quality} with {@code weights} (or the shipped ones), refusing
     * untrained weights unless {@code --allow-untrained}.
     */
    Codec open(int quality, @Nullable Path weights) {
        Codec codec = Codec.open(model, quality, metric, overrides(), weights);
        try {
            if (!allowUntrained) {
                codec.refuseUntrained("pass --weights W.safetensors, or --allow-untrained to go on with it");
            }
            codec.useCoder(coder);
            return codec;
        } catch (RuntimeException e) {
            codec.close();
            throw e;
        }
    }

    Metric metric() {
        return metric;
    }

    Map<String, Number> overrides() {
        return Params.parse(set);
    }
}
