package dev.tinify.runtime.video;

import dev.tinify.dsl.SpecReader;
import dev.tinify.runtime.compile.SpecCompiler;
import java.nio.file.Path;
import java.util.Map;

/** The bundled ssf2020 spec compiled for tests. */
final class SsfSpec {
    private SsfSpec() {}

    /** ssf2020 with {@code params} overriding its parameters ({@code mid_planes}, {@code planes}, ...). */
    static VideoModel build(Map<String, ?> params) {
        return SpecCompiler.compileVideo(SpecReader.read(Path.of("..", "specs", "ssf2020.yaml")), params);
    }
}
