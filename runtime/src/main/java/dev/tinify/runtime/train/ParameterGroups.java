package dev.tinify.runtime.train;

import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.nn.Param;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The split of a model's trainable parameters between the two optimizers, as CompressAI's
 * {@code net_aux_optimizer}: every parameter whose name ends in {@code .quantiles} (the entropy
 * bottlenecks' quantiles, trained by the auxiliary loss) goes to {@code aux}, everything else to
 * {@code net}.
 *
 * @param net parameters trained on the rate-distortion loss, by full state-dict name
 * @param aux parameters trained on the auxiliary loss, by full state-dict name
 */
public record ParameterGroups(Map<String, Param> net, Map<String, Param> aux) {
    public ParameterGroups {
        net = Collections.unmodifiableMap(new LinkedHashMap<>(net));
        aux = Collections.unmodifiableMap(new LinkedHashMap<>(aux));
    }

    /** Whether a parameter belongs to the auxiliary optimizer. */
    public static boolean isAux(String name) {
        return name.equals("quantiles") || name.endsWith(".quantiles");
    }

    /**
     * Splits {@code model}'s trainable parameters and checks, as CompressAI asserts, that the two
     * groups are disjoint and together hold every trainable parameter.
     *
     * @throws IllegalStateException if the split is not a partition (a bug in the split rule)
     */
    public static ParameterGroups of(Module model) {
        Map<String, Param> all = model.parameters();
        Map<String, Param> net = new LinkedHashMap<>();
        Map<String, Param> aux = new LinkedHashMap<>();
        all.forEach((name, p) -> (isAux(name) ? aux : net).put(name, p));
        Set<String> both = new HashSet<>(net.keySet());
        both.retainAll(aux.keySet());
        if (!both.isEmpty()) {
            throw new IllegalStateException("parameters in both the net and the aux group: " + both);
        }
        Set<String> union = new HashSet<>(net.keySet());
        union.addAll(aux.keySet());
        if (!union.equals(all.keySet())) {
            Set<String> missing = new HashSet<>(all.keySet());
            missing.removeAll(union);
            throw new IllegalStateException("parameters in neither the net nor the aux group: " + missing);
        }
        return new ParameterGroups(net, aux);
    }
}
