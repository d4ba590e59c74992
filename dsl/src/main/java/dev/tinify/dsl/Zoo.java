package dev.tinify.dsl;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pretrained configurations of an architecture, as CompressAI's zoo defines them: the
 * metrics weights exist for, the parameter values of each quality level (1, 2, ...), and the
 * training lambda of each quality per metric.
 */
public record Zoo(List<String> metrics, Map<Integer, Map<String, Expr>> qualities, Map<String, List<Double>> lambdas) {
    public Zoo {
        metrics = List.copyOf(metrics);
        Map<Integer, Map<String, Expr>> q = new LinkedHashMap<>();
        qualities.forEach((k, v) -> q.put(k, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(v))));
        qualities = java.util.Collections.unmodifiableMap(q);
        Map<String, List<Double>> l = new LinkedHashMap<>();
        lambdas.forEach((k, v) -> l.put(k, List.copyOf(v)));
        lambdas = java.util.Collections.unmodifiableMap(l);
    }

    /** The highest quality level. */
    public int maxQuality() {
        return qualities.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
    }
}
