/**
 * Tinify's own kinds: one declaration per layer, entropy model and latent codec
 * ({@link dev.tinify.dsl.kinds.Layers}, {@link dev.tinify.dsl.kinds.EntropyModels},
 * {@link dev.tinify.dsl.kinds.LatentCodecs}), registered with the catalog by one
 * {@link dev.tinify.dsl.KindProvider} per file.
 */
@NullMarked
package dev.tinify.dsl.kinds;

import org.jspecify.annotations.NullMarked;
