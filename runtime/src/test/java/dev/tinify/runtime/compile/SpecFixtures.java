package dev.tinify.runtime.compile;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tinify.dsl.Spec;
import dev.tinify.dsl.SpecReader;
import dev.tinify.runtime.reference.ReferenceCase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The spec files and the constructor arguments CompressAI used for each fixture case. */
final class SpecFixtures {
    private SpecFixtures() {}

    static Spec spec(String name) {
        return SpecReader.read(Path.of("..", "specs", name + ".yaml"));
    }

    /** {@code case.json}'s constructor_kwargs as parameter overrides (N=16, M=24, groups=[...]). */
    static Map<String, Object> overrides(ReferenceCase c) {
        Map<String, Object> out = new LinkedHashMap<>();
        c.constructorKwargs().fields().forEachRemaining(e -> out.put(e.getKey(), value(e.getValue())));
        return out;
    }

    private static Object value(JsonNode n) {
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            n.forEach(x -> l.add(value(x)));
            return l;
        }
        if (n.isIntegralNumber()) {
            return n.asLong();
        }
        return n.asDouble();
    }
}
