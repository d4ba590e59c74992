package dev.tinify.cli;

import dev.tinify.TinifyException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Spec parameter overrides given as {@code --set NAME=VALUE}. */
final class Params {
    private Params() {}

    /** Integers stay integers (channel counts), anything else with a dot or exponent is a double. */
    static Map<String, Number> parse(Map<String, String> raw) {
        Map<String, Number> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> {
            String s = v.trim();
            try {
                out.put(k, s.matches("[-+]?\\d+") ? (Number) Integer.valueOf(s) : (Number) Double.valueOf(s));
            } catch (NumberFormatException e) {
                throw new TinifyException("--set " + k + "=" + v + ": value is not a number");
            }
        });
        return out;
    }
}
