package dev.tinify.dsl;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An architecture: parameters with defaults ({@code N}, {@code M}, ...), the zoo table, top-level
 * modules ({@code g_a}, {@code g_s}, and any part the latent codec references as {@code $name}),
 * and the latent codec tree. Immutable; two specs are equal when they describe the same tree,
 * wherever they came from (the source positions kept for messages do not count).
 *
 * <p>Parameter names become CompressAI state-dict names: a top-level module keeps its name
 * ({@code h_a.0.weight}); a part written inside the codec tree is named by its path
 * ({@code latent_codec.hyper.h_a.0.weight}).
 */
public final class Spec {
    /** The format version this library reads and writes. */
    public static final int FORMAT = 1;

    /**
     * What the model codes: images [B, 3, H, W] (the default), point clouds [B, P, 3], or video:
     * frames [B, 3, H, W] each coded given the previous reconstruction by the latent codec, which
     * is then the whole frame codec (no g_a, g_s; its parts are named at the model root).
     */
    public enum Input {
        IMAGE("image"), POINTS("points"), VIDEO("video");

        private final String word;

        Input(String word) {
            this.word = word;
        }

        /** The spelling in a spec file ({@code input: points}). */
        public String word() {
            return word;
        }
    }

    private final String name;
    private final String description;
    private final Map<String, Expr> params;
    private final @Nullable Zoo zoo;
    private final Map<String, Node> modules;
    private final Node latentCodec;
    private final SourceMap source;
    private final Input input;

    public Spec(String name, String description, Map<String, Expr> params, @Nullable Zoo zoo,
                Map<String, Node> modules, Node latentCodec) {
        this(name, description, params, zoo, modules, latentCodec, SourceMap.EMPTY, Input.IMAGE);
    }

    Spec(String name, String description, Map<String, Expr> params, @Nullable Zoo zoo,
         Map<String, Node> modules, Node latentCodec, SourceMap source, Input input) {
        this.input = Objects.requireNonNull(input);
        this.name = Objects.requireNonNull(name);
        this.description = Objects.requireNonNull(description);
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        this.zoo = zoo;
        this.modules = Collections.unmodifiableMap(new LinkedHashMap<>(modules));
        this.latentCodec = Objects.requireNonNull(latentCodec);
        this.source = source;
    }

    /** A builder for specs written in Java. */
    public static SpecBuilder builder(String name) {
        return new SpecBuilder(name);
    }

    public String name() {
        return name;
    }

    /** What the model codes; {@link Input#IMAGE} unless the spec says {@code input: points} or {@code input: video}. */
    public Input input() {
        return input;
    }

    /** Free text; empty when absent. */
    public String description() {
        return description;
    }

    /** Parameter defaults in declaration order. */
    public Map<String, Expr> params() {
        return params;
    }

    public @Nullable Zoo zoo() {
        return zoo;
    }

    /** Top-level modules in declaration order. */
    public Map<String, Node> modules() {
        return modules;
    }

    /** Root of the latent codec tree. */
    public Node latentCodec() {
        return latentCodec;
    }

    /** Where each part was written, for messages. */
    public SourceMap source() {
        return source;
    }

    /** Resolves parameters (defaults, then {@code overrides}) and checks the whole tree. */
    public Resolver.Resolved resolve(Map<String, ?> overrides) {
        return Resolver.resolve(this, overrides);
    }

    /** The parameter values of a zoo quality, to pass as overrides. */
    public Map<String, Object> qualityParams(int quality) {
        return ZooCheck.qualityParams(this, quality);
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof Spec s && name.equals(s.name) && description.equals(s.description)
                && input == s.input && params.equals(s.params) && Objects.equals(zoo, s.zoo) && modules.equals(s.modules)
                && latentCodec.equals(s.latentCodec);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, description, input, params, zoo, modules, latentCodec);
    }

    @Override
    public String toString() {
        return SpecWriter.write(this);
    }
}
