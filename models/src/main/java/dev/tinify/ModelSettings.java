package dev.tinify;

import dev.tinify.dsl.Metric;
import dev.tinify.dsl.Spec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The settings every compressor builder shares: which spec, which zoo entry or weights file, which
 * entropy coder, and whether an untrained model is acceptable. {@link ImageCompressor.Builder} and
 * {@link PointCloudCompressor.Builder} add their own; each setter returns the builder it was called
 * on, so settings chain in any order.
 *
 * @param <B> the concrete builder
 */
public abstract class ModelSettings<B extends ModelSettings<B>> {
    final Spec spec;
    int quality;
    Metric metric = Metric.MSE;
    final Map<String, Number> params = new LinkedHashMap<>();
    @Nullable Path weights;
    String coder = "ans";
    boolean allowUntrained;

    ModelSettings(Spec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    /** This builder, typed as the caller knows it. */
    abstract B self();

    /** The zoo quality level (a spec without a zoo section takes none). */
    public B quality(int q) {
        quality = q;
        return self();
    }

    /** The distortion the weights were trained for (default MSE). */
    public B metric(Metric m) {
        metric = Objects.requireNonNull(m, "metric");
        return self();
    }

    /** Overrides a spec parameter (as {@code --set NAME=VALUE}). */
    public B set(String name, Number value) {
        params.put(name, value);
        return self();
    }

    /**
     * A safetensors state dict with CompressAI's key names, or a training checkpoint's weights
     * (default: the shipped weights of the zoo entry).
     */
    public B weights(Path file) {
        weights = file;
        return self();
    }

    /** The entropy coder: {@code ans} (CompressAI's rANS, default) or {@code range}. */
    public B coder(String name) {
        coder = name;
        return self();
    }

    /** Accepts a model without trained weights (its output is not useful; for tests and experiments). */
    public B allowUntrained() {
        allowUntrained = true;
        return self();
    }
}
