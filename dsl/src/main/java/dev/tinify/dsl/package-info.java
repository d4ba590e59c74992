/**
 * The Tinify spec language: an architecture as a tree of named modules and a latent codec tree.
 *
 * <p>{@link dev.tinify.dsl.SpecReader} reads YAML into an immutable {@link dev.tinify.dsl.Spec},
 * {@link dev.tinify.dsl.SpecWriter} writes it back, {@link dev.tinify.dsl.SpecBuilder} builds the
 * same tree from Java, and {@link dev.tinify.dsl.Resolver} evaluates parameters, expands templates
 * and checks channel counts against the {@link dev.tinify.dsl.Kinds kind catalog}. Every problem
 * is a {@link dev.tinify.dsl.SpecException} naming file, line, column, module path and what was
 * expected.
 */
@NullMarked
package dev.tinify.dsl;

import org.jspecify.annotations.NullMarked;
