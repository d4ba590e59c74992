package dev.tinify.dsl;

import java.util.List;

/**
 * Supplies kind declarations to the {@link Kinds catalog}. Implementations are found with
 * {@link java.util.ServiceLoader}: a jar adds kinds by listing its provider class in
 * {@code META-INF/services/dev.tinify.dsl.KindProvider}; the class needs a public no-argument
 * constructor.
 */
public interface KindProvider {
    /** The declarations, in the order they are listed in messages. */
    List<Kind> kinds();
}
