package dev.tinify.runtime.compile;

import dev.tinify.dsl.Kind;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.jspecify.annotations.Nullable;

/** Every {@link KindImplementation} on the class path, keyed by its declaration object; loaded once. */
final class KindImplementations {
    private KindImplementations() {}

    private static final Map<Kind, KindImplementation> ALL = load();

    private static Map<Kind, KindImplementation> load() {
        Map<Kind, KindImplementation> all = new IdentityHashMap<>();
        for (KindImplementationProvider p : ServiceLoader.load(KindImplementationProvider.class,
                KindImplementations.class.getClassLoader())) {
            for (KindImplementation impl : p.implementations()) {
                if (all.putIfAbsent(impl.kind(), impl) != null) {
                    throw new IllegalStateException("two implementations of " + impl.kind() + " (the second from "
                            + p.getClass().getName() + ")");
                }
            }
        }
        return all;
    }

    /** The implementation of {@code kind}, or null when no jar on the class path provides one. */
    static @Nullable KindImplementation of(Kind kind) {
        return ALL.get(kind);
    }
}
