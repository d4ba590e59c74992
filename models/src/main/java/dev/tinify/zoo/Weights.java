package dev.tinify.zoo;

import dev.tinify.TinifyException;
import dev.tinify.dsl.Metric;
import dev.tinify.dsl.Spec;
import dev.tinify.runtime.checkpoint.CheckpointException;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.WeightsFile;
import dev.tinify.runtime.model.CompressionModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Where a model's weights come from, decided in one place for the library and the command line:
 * an explicit weights file (with the spec parameters its {@code .json} records, as
 * {@code tinify export} writes them), else the zoo entry's file in the folder named by
 * {@value #WEIGHTS_PROPERTY} / {@value #WEIGHTS_ENV}, else the weights bundled with this build (at
 * the sizes they were trained with), else none: the model keeps its initial parameters.
 *
 * @param params the spec parameters to build the model with (zoo level, recorded sizes, overrides)
 * @param file the weights file, or null
 * @param bundled the bundled weights, or null
 */
public record Weights(Map<String, Object> params, @Nullable Path file, @Nullable ShippedWeights bundled) {
    /** System property naming the folder of shipped weights. */
    public static final String WEIGHTS_PROPERTY = "tinify.weights";
    /** Environment variable naming the folder of shipped weights (the property wins). */
    public static final String WEIGHTS_ENV = "TINIFY_WEIGHTS";

    /**
     * Resolves the weights and parameters of {@code spec} at {@code quality} (ignored by a spec
     * without a zoo section), with {@code overrides} replacing any recorded parameters.
     */
    public static Weights resolve(Spec spec, int quality, Metric metric, Map<String, ?> overrides, @Nullable Path weights) {
        Map<String, Object> params = new LinkedHashMap<>();
        ZooEntry entry = spec.zoo() != null ? ZooEntry.of(spec, quality, metric) : null;
        if (entry != null) {
            params.putAll(entry.params());
        }
        Path w = weights != null ? weights : entry != null ? shippedFile(entry) : null;
        if (w != null && !Files.isRegularFile(w)) {
            throw new TinifyException(w + ": no such weight file (expected a safetensors state dict or a PyTorch checkpoint)");
        }
        // Without a weight file or size overrides, the weights bundled with this build, at the sizes they were trained with.
        ShippedWeights bundled = w == null && overrides.isEmpty() && entry != null ? ShippedWeights.find(entry).orElse(null) : null;
        if (bundled != null) {
            params.putAll(bundled.params());
        } else if (w != null && overrides.isEmpty()) {
            // Exported weights record the sizes they were trained with beside them.
            params.putAll(ShippedWeights.paramsBeside(w));
        }
        params.putAll(overrides);
        return new Weights(params, w, bundled);
    }

    /** Whether there are weights to load; without them the model keeps its initial parameters. */
    public boolean trained() {
        return file != null || bundled != null;
    }

    /** The weights' name for messages and result files: the file, the bundled resource, or null. */
    public @Nullable String source() {
        return file != null ? file.toString() : bundled != null ? bundled.resource() : null;
    }

    /**
     * Loads these weights into {@code model}; a state dict of another configuration is summarised
     * on one line naming the file (the full lists stay in the cause). Notices (CDF tables computed
     * for a checkpoint saved before {@code update()}) go to standard error.
     */
    public void loadInto(CompressionModel model) {
        if (bundled != null) {
            try {
                model.load(bundled.stateDict());
            } catch (RuntimeException e) {
                throw new TinifyException(bundled.resource() + ": " + e.getMessage(), e);
            }
        } else if (file != null) {
            try {
                load(model, file, notice -> System.err.println("tinify: " + notice));
            } catch (CheckpointException e) {
                throw new TinifyException(file + ": not a state dict of " + model.name() + " " + model.params() + ": " + e.summary()
                        + "; check the model, quality, metric and parameters", e);
            }
        }
    }

    /**
     * Loads a weights file into {@code model}, the one place that knows weights file formats: a
     * safetensors state dict or a PyTorch checkpoint ({@code .pth.tar}, told apart by content),
     * with CompressAI's key names and the renames its loader applies. A checkpoint saved before
     * {@code update()} (empty CDF tables) gets its tables computed, and {@code notices} is told.
     *
     * @throws CheckpointException listing every key that does not fit
     * @throws TinifyException naming the file when it cannot be read or used
     */
    public static void load(CompressionModel model, Path file, Consumer<String> notices) {
        Map<String, SafeTensors.Tensor> stored;
        try {
            stored = WeightsFile.read(file);
        } catch (IOException e) {
            throw new TinifyException(e.getMessage().startsWith(file.toString()) ? e.getMessage()
                    : file + ": cannot read weights: " + e.getMessage(), e);
        }
        try {
            WeightsFile.Fitted fitted = WeightsFile.fit(stored, model);
            model.load(fitted.stateDict());
            if (fitted.needsUpdate()) {
                model.update(true);
                notices.accept(file + ": saved before update(): computed its " + fitted.emptyTables().size()
                        + " empty CDF table tensors (default scale table)");
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new TinifyException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The zoo qualities of {@code spec} that have weights without {@code --weights}: a file in the
     * folder of shipped weights, or (without {@code overrides}) weights bundled with this build.
     * Ascending; empty for a spec without a zoo section.
     */
    public static List<Integer> shippedQualities(Spec spec, Metric metric, Map<String, ?> overrides) {
        if (spec.zoo() == null) {
            return List.of();
        }
        List<Integer> out = new java.util.ArrayList<>();
        for (int q : spec.zoo().qualities().keySet().stream().sorted().toList()) {
            ZooEntry entry = ZooEntry.of(spec, q, metric);
            if (shippedFile(entry) != null || overrides.isEmpty() && ShippedWeights.find(entry).isPresent()) {
                out.add(q);
            }
        }
        return out;
    }

    /**
     * The zoo entry's file ({@link ZooEntry#weightsFileName()}, else the file of every quality
     * {@link ZooEntry#allQualitiesFileName()}) in the folder named by {@value #WEIGHTS_PROPERTY} /
     * {@value #WEIGHTS_ENV}, or null if there is none.
     */
    public static @Nullable Path shippedFile(ZooEntry entry) {
        String dir = System.getProperty(WEIGHTS_PROPERTY);
        if (dir == null || dir.isBlank()) {
            dir = System.getenv(WEIGHTS_ENV);
        }
        if (dir == null || dir.isBlank()) {
            return null;
        }
        return fileIn(Path.of(dir), entry);
    }

    /**
     * The zoo entry's file in a folder: its own quality's ({@link ZooEntry#weightsFileName()}), else
     * the one of every quality ({@link ZooEntry#allQualitiesFileName()}), or null if neither is there.
     */
    public static @Nullable Path fileIn(Path dir, ZooEntry entry) {
        for (String name : List.of(entry.weightsFileName(), entry.allQualitiesFileName())) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }
}
