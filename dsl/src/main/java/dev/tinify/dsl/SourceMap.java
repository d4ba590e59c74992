package dev.tinify.dsl;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * Source positions of a spec's parts, keyed by path: module paths such as {@code g_s[3]} or
 * {@code latent_codec.hyper.h_a[2]}, argument paths such as {@code g_s[3].out_channels}, and
 * section paths such as {@code #params.N} or {@code #zoo.qualities.3}.
 */
public final class SourceMap {
    /** No positions: specs built in code. */
    public static final SourceMap EMPTY = new SourceMap("<builder>", Map.of());

    /** No positions, for the spec {@code name} built in code: messages name the spec and the module path. */
    static SourceMap builtInCode(String name) {
        return new SourceMap("<" + name + " built in code>", Map.of());
    }

    private final String file;
    private final Map<String, Location> locations;

    SourceMap(String file, Map<String, Location> locations) {
        this.file = file;
        this.locations = Collections.unmodifiableMap(new HashMap<>(locations));
    }

    public String file() {
        return file;
    }

    /**
     * The position of {@code path}, or of its closest written ancestor, or the start of the file.
     */
    public Location locate(String path) {
        String p = path;
        while (true) {
            Location l = locations.get(p);
            if (l != null) {
                return l;
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            if (cut <= 0) {
                Location top = locations.get("#");
                return top != null ? top : new Location(file, locations.isEmpty() ? 0 : 1, locations.isEmpty() ? 0 : 1);
            }
            p = p.substring(0, cut);
        }
    }

    /** Whether the exact path was recorded. */
    public boolean has(String path) {
        return locations.containsKey(path);
    }
}
