package dev.tinify.dsl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link Spec} in Java with the typed factories of {@link dev.tinify.dsl.kinds}
 * ({@code Layers.conv}, {@code EntropyModels.entropyBottleneck}, {@code LatentCodecs.hyperprior},
 * ...), producing the same tree the YAML reader produces for the same architecture. Parameters
 * are symbolic: {@link #param} returns an {@link IntExpr} to use in arguments
 * ({@code N.times(3).div(2)}), and the written spec keeps the expression.
 *
 * <pre>{@code
 * import static dev.tinify.dsl.SpecBuilder.*;
 * import static dev.tinify.dsl.kinds.Layers.*;
 * import static dev.tinify.dsl.kinds.EntropyModels.*;
 * import static dev.tinify.dsl.kinds.LatentCodecs.*;
 *
 * SpecBuilder b = Spec.builder("bmshj2018-factorized");
 * IntExpr N = b.param("N", 128), M = b.param("M", 192);
 * b.module("g_a", seq(conv(3, N, 5, 2), gdn(N), conv(N, N, 5, 2), gdn(N), conv(N, N, 5, 2), gdn(N), conv(N, M, 5, 2)));
 * b.module("g_s", seq(deconv(M, N, 5, 2), igdn(N), ...));
 * b.latentCodec(entropyBottleneckCodec(b.module("entropy_bottleneck", entropyBottleneck(M))));
 * Spec spec = b.build();
 * }</pre>
 *
 * Problems found when the spec is built name the module path ({@code g_a[3]}).
 */
public final class SpecBuilder {
    private final String name;
    private String description = "";
    private Spec.Input input = Spec.Input.IMAGE;
    private final Map<String, Expr> params = new LinkedHashMap<>();
    private final Map<String, Node> modules = new LinkedHashMap<>();
    private @Nullable Node latentCodec;
    private final List<String> metrics = new ArrayList<>();
    private final Map<Integer, Map<String, Expr>> qualities = new LinkedHashMap<>();
    private final Map<String, List<Double>> lambdas = new LinkedHashMap<>();

    SpecBuilder(String name) {
        this.name = name;
    }

    /** A sequence of layers. */
    public static Node.Seq seq(Node... items) {
        return new Node.Seq(List.of(items));
    }

    /** A sequence of layers. */
    public static Node.Seq seq(List<? extends Node> items) {
        return new Node.Seq(new ArrayList<>(items));
    }

    /** {@code layer} (a layer or a sequence) {@code times} times in a row. */
    public static Node.Call repeat(Number times, Node layer) {
        return Kinds.REPEAT.call(times, layer);
    }

    /** A graph module, built step by step. */
    public static GraphBuilder graph() {
        return new GraphBuilder();
    }

    /** A reference to the top-level module {@code name}. */
    public static Expr.Ref ref(String name) {
        return new Expr.Ref(name);
    }

    /** Converts a Java value into a spec node. */
    static Node node(Object v, String where) {
        if (v instanceof Node n) {
            return n;
        }
        return expr(v, where);
    }

    static Expr expr(Object v, String where) {
        if (v instanceof Expr e) {
            return e;
        }
        if (v instanceof Number n) {
            return IntExpr.exprOf(n);
        }
        if (v instanceof IntList l) {
            return l.expr();
        }
        if (v instanceof Boolean b) {
            return new Expr.Bool(b);
        }
        if (v instanceof List<?> l) {
            List<Expr> items = new ArrayList<>();
            for (Object o : l) {
                items.add(expr(o, where));
            }
            return new Expr.ListOf(items);
        }
        if (v instanceof String s) {
            try {
                return ExprParser.parse(s);
            } catch (ExprParser.Error e) {
                throw new SpecException(Location.NONE, where, "bad expression '" + s + "': " + e.getMessage(), e.expected);
            }
        }
        throw new SpecException(Location.NONE, where, "unsupported value " + v, "a number, boolean, string, list or node");
    }

    public SpecBuilder description(String text) {
        this.description = text;
        return this;
    }

    /** What the model codes ({@code input: points} in YAML); images unless set. */
    public SpecBuilder input(Spec.Input what) {
        this.input = what;
        return this;
    }

    /** An integer parameter with its default (a number or an expression of earlier parameters). */
    public IntExpr param(String key, Number value) {
        addParam(key, IntExpr.exprOf(value));
        return IntExpr.name(key);
    }

    /** A list parameter with its default, e.g. {@code listParam("groups", 16, 16, 32, 64, M.minus(128))}. */
    public IntList listParam(String key, Number... values) {
        addParam(key, IntList.of(values).expr());
        return IntList.name(key);
    }

    private void addParam(String key, Expr value) {
        if (params.putIfAbsent(key, value) != null) {
            throw new SpecException(Location.NONE, "params." + key, "duplicate param '" + key + "'", "each param once");
        }
    }

    /** A top-level module (a layer, a sequence, or an entropy model); returns its {@code $reference}. */
    public Expr.Ref module(String key, Node node) {
        if (modules.containsKey(key)) {
            throw new SpecException(Location.NONE, key, "duplicate name '" + key + "'", "each module name once");
        }
        modules.put(key, node);
        return ref(key);
    }

    public SpecBuilder latentCodec(Node codec) {
        this.latentCodec = codec;
        return this;
    }

    /** The metrics zoo weights exist for. */
    public SpecBuilder metrics(String... names) {
        metrics.addAll(List.of(names));
        return this;
    }

    /** The parameter values of zoo quality {@code q}. */
    public SpecBuilder quality(int q, Map<String, ?> values) {
        Map<String, Expr> m = new LinkedHashMap<>();
        values.forEach((k, v) -> m.put(k, expr(v, "zoo.qualities." + q)));
        qualities.put(q, m);
        return this;
    }

    /** The training lambda per quality for {@code metric}. */
    public SpecBuilder lambda(String metric, double... values) {
        List<Double> l = new ArrayList<>();
        for (double d : values) {
            l.add(d);
        }
        lambdas.put(metric, l);
        return this;
    }

    /** The spec, checked with its default parameters. */
    public Spec build() {
        if (latentCodec == null) {
            throw new SpecException(Location.NONE, "", "missing required section 'latent_codec'", "latentCodec(...)");
        }
        Zoo zoo = qualities.isEmpty() && metrics.isEmpty() && lambdas.isEmpty() ? null : new Zoo(metrics, qualities, lambdas);
        Spec spec = new Spec(name, description, params, zoo, modules, latentCodec, SourceMap.builtInCode(name), input);
        Resolver.resolve(spec, Map.of());
        return spec;
    }
}
