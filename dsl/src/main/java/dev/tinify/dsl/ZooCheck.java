package dev.tinify.dsl;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A spec's zoo section against its parameters: qualities numbered 1, 2, ... naming only declared
 * parameters with plain numbers, one lambda per quality for each listed metric; and the
 * parameter values of one quality.
 */
final class ZooCheck {
    private ZooCheck() {}

    /** The parameter values quality {@code quality} sets. */
    static Map<String, Object> qualityParams(Spec spec, int quality) {
        Zoo zoo = spec.zoo();
        if (zoo == null || !zoo.qualities().containsKey(quality)) {
            throw new SpecException(spec.source().locate("#zoo.qualities"), "zoo",
                    "no quality " + quality + " in " + spec.name(),
                    zoo == null ? "a spec with a zoo table" : "a quality from 1 to " + zoo.maxQuality());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        Eval.Scope empty = Eval.scope(Map.of(), null);
        for (Map.Entry<String, Expr> e : zoo.qualities().get(quality).entrySet()) {
            out.put(e.getKey(), Eval.eval(e.getValue(), empty));
        }
        return out;
    }

    /** Refuses a zoo section that does not fit the spec, located at the entry. */
    static void check(Spec spec) {
        Zoo zoo = spec.zoo();
        if (zoo == null) {
            return;
        }
        int n = zoo.qualities().size();
        int expect = 1;
        for (Map.Entry<Integer, Map<String, Expr>> q : zoo.qualities().entrySet()) {
            String at = "#zoo.qualities." + q.getKey();
            if (q.getKey() != expect) {
                throw error(spec, at, "zoo.qualities", "bad quality table: quality " + q.getKey() + " where " + expect + " belongs",
                        "qualities numbered 1, 2, 3, ... in order");
            }
            expect++;
            for (Map.Entry<String, Expr> v : q.getValue().entrySet()) {
                if (!spec.params().containsKey(v.getKey())) {
                    String near = Kinds.nearest(v.getKey(), spec.params().keySet());
                    throw error(spec, at + "." + v.getKey(), "zoo.qualities." + q.getKey(),
                            "bad quality table: unknown param '" + v.getKey() + "'" + (near != null ? " (did you mean '" + near + "'?)" : ""),
                            "one of the params " + String.join(", ", spec.params().keySet()));
                }
                try {
                    Eval.eval(v.getValue(), Eval.scope(Map.of(), null));
                } catch (Eval.Problem p) {
                    throw error(spec, at + "." + v.getKey(), "zoo.qualities." + q.getKey(), "bad quality table: " + p.getMessage(), "plain numbers");
                }
            }
        }
        for (Map.Entry<String, List<Double>> l : zoo.lambdas().entrySet()) {
            String at = "#zoo.lambda." + l.getKey();
            if (!zoo.metrics().contains(l.getKey())) {
                throw error(spec, at, "zoo.lambda", "bad quality table: lambda for unknown metric '" + l.getKey() + "'",
                        "one of the metrics " + zoo.metrics());
            }
            if (l.getValue().size() != n) {
                throw error(spec, at, "zoo.lambda." + l.getKey(), "bad quality table: " + l.getValue().size() + " lambdas for " + n + " qualities",
                        "one lambda per quality (" + n + ")");
            }
        }
    }

    private static SpecException error(Spec spec, String srcPath, String path, String problem, String expected) {
        return new SpecException(spec.source().locate(srcPath), path, problem, expected);
    }
}
