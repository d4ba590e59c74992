package dev.tinify.dsl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link Spec} in Java, producing the same tree the YAML reader produces for the same
 * architecture. Values may be numbers, booleans, lists, nodes, or strings, which are read as spec
 * expressions ({@code "N*3//2"}, {@code "$h_a"}, {@code "[scales]"}).
 *
 * <pre>{@code
 * import static dev.tinify.dsl.SpecBuilder.*;
 *
 * Spec spec = Spec.builder("bmshj2018-factorized")
 *     .param("N", 128).param("M", 192)
 *     .module("g_a", seq(layer("conv", 3, "N", 5, 2), layer("gdn", "N"), ...))
 *     .module("g_s", seq(...))
 *     .module("entropy_bottleneck", layer("entropy_bottleneck", "M"))
 *     .latentCodec(codec("entropy_bottleneck", ref("entropy_bottleneck")))
 *     .build();
 * }</pre>
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

    /** A named argument, for {@link #layer} and {@link #codec}. */
    public record Arg(String name, Object value) {}

    /** A named argument: {@code arg("stride", 1)}. */
    public static Arg arg(String name, Object value) {
        return new Arg(name, value);
    }

    /** A layer of kind {@code kind}: positional values first, then {@link Arg}s. */
    public static Node.Call layer(String kind, Object... args) {
        return call(kind, Kinds.Namespace.LAYER, args);
    }

    /** A latent codec of kind {@code kind}: positional values first, then {@link Arg}s. */
    public static Node.Call codec(String kind, Object... args) {
        return call(kind, Kinds.Namespace.CODEC, args);
    }

    /** A sequence of layers. */
    public static Node.Seq seq(Node... items) {
        return new Node.Seq(List.of(items));
    }

    /** A sequence of layers. */
    public static Node.Seq seq(List<? extends Node> items) {
        return new Node.Seq(new ArrayList<>(items));
    }

    /** A reference to the top-level module {@code name}. */
    public static Expr.Ref ref(String name) {
        return new Expr.Ref(name);
    }

    private static Node.Call call(String kind, Kinds.Namespace ns, Object[] args) {
        List<Node> positional = new ArrayList<>();
        Map<String, Node> named = new LinkedHashMap<>();
        for (Object a : args) {
            if (a instanceof Arg na) {
                if (named.put(na.name(), node(na.value(), kind)) != null) {
                    throw new SpecException(Location.NONE, kind, "argument '" + na.name() + "' given twice", "each argument once");
                }
            } else if (!named.isEmpty()) {
                throw new SpecException(Location.NONE, kind, "positional argument after a named one", "named arguments last");
            } else {
                positional.add(node(a, kind));
            }
        }
        return Canon.call(kind, ns, positional, named, kind, key -> Location.NONE, new HashMap<>());
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
            return new Expr.Num(n);
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

    /** A parameter and its default: a number, list, or expression string. */
    public SpecBuilder param(String key, Object value) {
        params.put(key, expr(value, "params." + key));
        return this;
    }

    /** A top-level module: a layer, a sequence, or an entropy model. */
    public SpecBuilder module(String key, Node node) {
        if (modules.containsKey(key)) {
            throw new SpecException(Location.NONE, key, "duplicate name '" + key + "'", "each module name once");
        }
        modules.put(key, node);
        return this;
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
        Spec spec = new Spec(name, description, params, zoo, modules, latentCodec, SourceMap.EMPTY, input);
        Resolver.resolve(spec, Map.of());
        return spec;
    }
}
