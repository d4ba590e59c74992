/**
 * Compiles a {@link dev.tinify.dsl.Spec} into a running
 * {@link dev.tinify.runtime.model.CompressionModel}: every kind of the spec catalog is mapped to
 * its runtime layer, entropy model or latent codec, named as CompressAI names it.
 */
@NullMarked
package dev.tinify.runtime.compile;

import org.jspecify.annotations.NullMarked;
