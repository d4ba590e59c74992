package dev.tinify.runtime.compile;

import java.util.List;

/**
 * Supplies {@link KindImplementation}s to the compiler. Implementations are found with
 * {@link java.util.ServiceLoader}: a jar adds them by listing its provider class in
 * {@code META-INF/services/dev.tinify.runtime.compile.KindImplementationProvider}; the class needs a
 * public no-argument constructor. Its kinds are declared by a {@link dev.tinify.dsl.KindProvider}.
 */
public interface KindImplementationProvider {
    List<KindImplementation> implementations();
}
