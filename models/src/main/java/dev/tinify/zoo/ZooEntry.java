package dev.tinify.zoo;

import dev.tinify.dsl.Metric;
import dev.tinify.TinifyException;
import dev.tinify.dsl.Spec;
import dev.tinify.dsl.Zoo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One zoo configuration: an architecture at a quality level for a metric, with the spec
 * parameters of that quality (for example {@code N=128, M=192}) and the rate-distortion weight
 * {@code lambda} it is trained with. All numbers come from the spec's {@code zoo} section.
 */
public record ZooEntry(String architecture, int quality, Metric metric, Map<String, Object> params, double lambda) {
    public ZooEntry {
        params = Map.copyOf(params);
    }

    /**
     * The configuration of {@code spec} at {@code quality} for {@code metric}.
     *
     * @throws TinifyException naming the available levels or metrics if either is unknown
     */
    public static ZooEntry of(Spec spec, int quality, Metric metric) {
        Zoo zoo = spec.zoo();
        if (zoo == null) {
            throw new TinifyException(spec.name() + ": the spec has no zoo section (quality levels)");
        }
        List<Integer> levels = new ArrayList<>(zoo.qualities().keySet());
        levels.sort(null);
        if (!levels.contains(quality)) {
            throw new TinifyException(spec.name() + ": no quality " + quality + " (available: " + levels + ")");
        }
        List<Double> lambdas = zoo.lambdas().get(metric.id());
        if (!zoo.metrics().contains(metric.id()) || lambdas == null) {
            throw new TinifyException(spec.name() + ": no " + metric.id() + " configuration (available: " + zoo.metrics() + ")");
        }
        return new ZooEntry(spec.name(), quality, metric, spec.qualityParams(quality), lambdas.get(levels.indexOf(quality)));
    }

    /**
     * The file of weights for every quality, as a variable-rate model has them:
     * {@code <architecture>-<metric>.safetensors}.
     */
    public String allQualitiesFileName() {
        return architecture + "-" + metric.id() + ".safetensors";
    }

    /** The weight file name this configuration uses: {@code <architecture>-<metric>-<quality>.safetensors}. */
    public String weightsFileName() {
        return architecture + "-" + metric.id() + "-" + quality + ".safetensors";
    }
}
