package dev.tinify;

import dev.tinify.dsl.Spec;
import dev.tinify.runtime.compile.SpecCompiler;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.video.VideoModel;
import java.util.Map;

/** The one place where the facade hands a spec's text to the compiler. */
final class SpecBridge {
    private SpecBridge() {}

    static CompressionModel compile(Spec spec, Map<String, ?> params) {
        return SpecCompiler.compile(spec, params);
    }

    static VideoModel compileVideo(Spec spec, Map<String, ?> params) {
        return SpecCompiler.compileVideo(spec, params);
    }
}
