package dev.tinify;

import dev.tinify.runtime.compile.SpecCompiler;
import dev.tinify.runtime.model.CompressionModel;
import java.util.Map;

/** The one place where the facade hands a spec's text to the compiler. */
final class SpecBridge {
    private SpecBridge() {}

    static CompressionModel compile(String yaml, String origin, Map<String, ? extends Number> params) {
        return SpecCompiler.compile(yaml, origin, params);
    }
}
