package dev.tinify.zoo;

import dev.tinify.Metric;
import java.util.Map;

/**
 * One zoo configuration: an architecture at a quality level for a metric, with the spec
 * parameters of that quality (for example {@code N=128, M=192}) and the rate-distortion
 * weight {@code lambda} it is trained with.
 */
public record ZooEntry(String architecture, int quality, Metric metric, Map<String, Number> params, double lambda) {
    public ZooEntry {
        params = Map.copyOf(params);
    }

    /** The weight file name this configuration uses: {@code <architecture>-<metric>-<quality>.safetensors}. */
    public String weightsFileName() {
        return architecture + "-" + metric.id() + "-" + quality + ".safetensors";
    }
}
