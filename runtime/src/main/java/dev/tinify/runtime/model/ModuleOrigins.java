package dev.tinify.runtime.model;

import dev.tinify.dsl.SourceMap;
import dev.tinify.dsl.SpecException;
import dev.tinify.runtime.layers.LayerInputException;
import dev.tinify.runtime.nn.Module;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each module of a compiled model was written in its spec. Shapes inside latent codecs
 * (what a context model or an entropy-parameters stack is fed) are only known when the model runs;
 * a layer that refuses its input there is reported at its spec line and module path, as a spec
 * error found while compiling would be. Filled while compiling, read-only afterwards.
 */
public final class ModuleOrigins {
    private final SourceMap source;
    private final Map<Module, String> paths = new IdentityHashMap<>();
    private final List<Module> written = new ArrayList<>();

    public ModuleOrigins(SourceMap source) {
        this.source = source;
    }

    /** Records that {@code module} was built from the spec part at {@code path}; the first record of a module wins. */
    public void record(String path, Module module) {
        if (paths.putIfAbsent(module, path) == null) {
            written.add(module);
        }
    }

    /**
     * Gives every module built inside a recorded one (a residual block's convolutions) the path of
     * the closest recorded ancestor. Parts are recorded innermost first, so a part's own record is
     * never replaced by its parent's.
     */
    void inherit() {
        for (Module m : List.copyOf(written)) {
            inherit(m, paths.get(m));
        }
    }

    private void inherit(Module parent, String path) {
        for (Module child : parent.children().values()) {
            if (paths.putIfAbsent(child, path) == null) {
                inherit(child, path);
            }
        }
    }

    /** The error located at the spec part of the layer that raised it, or {@code e} itself when that layer is not from the spec. */
    RuntimeException locate(LayerInputException e) {
        String path = paths.get(e.layer());
        if (path == null) {
            return e;
        }
        SpecException located = new SpecException(source.locate(path), path, e.getMessage(), e.expected());
        located.initCause(e);
        return located;
    }
}
