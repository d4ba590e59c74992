package dev.tinify.dsl;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The values of a spec's parameters for given overrides: each override checked against the
 * declared names and normalized, each other parameter evaluated from its expression (parameters
 * may refer to one another, without cycles and at most {@link SpecLimits#MAX_EXPRESSION_DEPTH} deep).
 */
final class ParamResolver {
    private final Spec spec;
    private final SourceMap src;
    private final Map<String, Object> params = new LinkedHashMap<>();

    private ParamResolver(Spec spec) {
        this.spec = spec;
        this.src = spec.source();
    }

    /** Every parameter's value, in declaration order: {@link Long}, {@link Double}, {@link Boolean} or a list of those. */
    static Map<String, Object> resolve(Spec spec, Map<String, ?> overrides) {
        return new ParamResolver(spec).run(overrides);
    }

    private SpecException error(String srcPath, String path, String problem, String expected) {
        return new SpecException(src.locate(srcPath), path, problem, expected);
    }


    private Map<String, Object> run(Map<String, ?> overrides) {
        for (String k : overrides.keySet()) {
            if (!spec.params().containsKey(k)) {
                String near = Kinds.nearest(k, spec.params().keySet());
                throw error("#params", "params", "unknown param '" + k + "'" + (near != null ? " (did you mean '" + near + "'?)" : ""),
                        spec.params().isEmpty() ? "no overrides (this spec declares no params)" : "one of " + String.join(", ", spec.params().keySet()));
            }
        }
        Map<String, Object> given = new LinkedHashMap<>();
        overrides.forEach((k, v) -> given.put(k, normalize(k, v)));
        Set<String> visiting = new HashSet<>();
        Eval.Scope scope = new Eval.Scope() {
            @Override
            public @Nullable Object apply(String n) {
                if (!spec.params().containsKey(n)) {
                    return null;
                }
                return param(n, given, visiting, this);
            }

            @Override
            public List<String> names() {
                return new ArrayList<>(spec.params().keySet());
            }
        };
        for (String k : spec.params().keySet()) {
            param(k, given, visiting, scope);
        }
        return params;
    }

    private Object param(String name, Map<String, Object> given, Set<String> visiting, Eval.Scope scope) {
        Object done = params.get(name);
        if (done != null) {
            return done;
        }
        Object v;
        if (given.containsKey(name)) {
            v = given.get(name);
        } else {
            if (!visiting.add(name)) {
                throw error("#params." + name, "params." + name, "param '" + name + "' depends on itself", "params defined without cycles");
            }
            if (visiting.size() > SpecLimits.MAX_EXPRESSION_DEPTH) {
                throw error("#params." + name, "params." + name, "params refer to one another more than "
                        + SpecLimits.MAX_EXPRESSION_DEPTH + " deep", "a shorter chain of params");
            }
            try {
                v = Eval.eval(spec.params().get(name), scope);
            } catch (Eval.Problem p) {
                throw error("#params." + name, "params." + name, "bad expression '" + spec.params().get(name).text() + "': " + p.getMessage(), p.expected);
            }
            visiting.remove(name);
        }
        params.put(name, v);
        return v;
    }

    private Object normalize(String name, Object v) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float || v instanceof Double) {
            return ((Number) v).doubleValue();
        }
        if (v instanceof Boolean) {
            return v;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object o : l) {
                out.add(normalize(name, o));
            }
            return List.copyOf(out);
        }
        if (v instanceof String s) {
            try {
                return Eval.eval(ExprParser.parse(s), Eval.scope(Map.of(), null));
            } catch (ExprParser.Error | Eval.Problem e) {
                throw error("#params", "params." + name, "bad override " + name + "=" + s + ": " + e.getMessage(), "a number or a list of numbers");
            }
        }
        throw error("#params", "params." + name, "unsupported override value " + v, "a number, boolean or list");
    }
}
