package dev.tinify.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tinify.Metric;
import dev.tinify.TinifyException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code zoo} section of a spec file: the quality levels, the parameters of each, and the
 * lambda per metric and quality. The numbers live in the spec, next to the architecture they
 * configure:
 *
 * <pre>{@code
 * zoo:
 *   qualities:
 *     1: {N: 128, M: 192}
 *     ...
 *     8: {N: 192, M: 320}
 *   lambda:
 *     mse:     [0.0018, 0.0035, 0.0067, 0.0130, 0.0250, 0.0483, 0.0932, 0.1800]
 *     ms-ssim: [2.40, 4.58, 8.73, 16.64, 31.73, 60.50, 115.37, 220.00]
 * }</pre>
 */
public final class ZooTable {
    private static final YAMLMapper YAML = new YAMLMapper();

    private final String architecture;
    private final TreeMap<Integer, Map<String, Number>> qualities;
    private final Map<Metric, List<Double>> lambdas;

    private ZooTable(String architecture, TreeMap<Integer, Map<String, Number>> qualities, Map<Metric, List<Double>> lambdas) {
        this.architecture = architecture;
        this.qualities = qualities;
        this.lambdas = lambdas;
    }

    /**
     * Reads the zoo section of a spec's YAML text.
     *
     * @param source where the text came from, for error messages
     * @throws TinifyException if the text has no usable zoo section
     */
    public static ZooTable parse(String architecture, String yamlText, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(yamlText);
        } catch (IOException e) {
            throw new TinifyException(source + ": not valid YAML: " + e.getMessage(), e);
        }
        JsonNode zoo = root == null ? null : root.get("zoo");
        if (zoo == null || !zoo.isObject()) {
            throw new TinifyException(source + ": architecture '" + architecture + "' has no zoo section (quality levels)");
        }
        JsonNode q = zoo.path("qualities");
        if (!q.isObject() || q.isEmpty()) {
            throw new TinifyException(source + ": zoo.qualities must map quality numbers to parameters, e.g. 1: {N: 128, M: 192}");
        }
        TreeMap<Integer, Map<String, Number>> qualities = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = q.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int level;
            try {
                level = Integer.parseInt(e.getKey());
            } catch (NumberFormatException ex) {
                throw new TinifyException(source + ": zoo.qualities key '" + e.getKey() + "' is not a quality number");
            }
            Map<String, Number> params = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> pit = e.getValue().fields(); pit.hasNext(); ) {
                Map.Entry<String, JsonNode> p = pit.next();
                if (!p.getValue().isNumber()) {
                    throw new TinifyException(source + ": zoo.qualities." + level + "." + p.getKey() + " must be a number");
                }
                params.put(p.getKey(), p.getValue().numberValue());
            }
            qualities.put(level, Map.copyOf(params));
        }
        Map<Metric, List<Double>> lambdas = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = zoo.path("lambda").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Metric m = Metric.parse(e.getKey());
            List<Double> values = new ArrayList<>();
            e.getValue().forEach(v -> values.add(v.asDouble()));
            if (values.size() < qualities.lastKey()) {
                throw new TinifyException(source + ": zoo.lambda." + e.getKey() + " has " + values.size()
                        + " values, the qualities go up to " + qualities.lastKey());
            }
            lambdas.put(m, List.copyOf(values));
        }
        return new ZooTable(architecture, qualities, lambdas);
    }

    /** The quality levels, ascending. */
    public List<Integer> qualities() {
        return List.copyOf(qualities.keySet());
    }

    /**
     * The configuration at {@code quality} for {@code metric}.
     *
     * @throws TinifyException naming the available levels and metrics if either is unknown
     */
    public ZooEntry entry(int quality, Metric metric) {
        Map<String, Number> params = qualities.get(quality);
        if (params == null) {
            throw new TinifyException(architecture + ": no quality " + quality + " (available: " + qualities.keySet() + ")");
        }
        List<Double> l = lambdas.get(metric);
        if (l == null) {
            throw new TinifyException(architecture + ": no " + metric.id() + " configuration (available: "
                    + lambdas.keySet().stream().map(Metric::id).toList() + ")");
        }
        return new ZooEntry(architecture, quality, metric, params, l.get(quality - 1));
    }
}
