/**
 * Tinify, learned image compression for the JVM: the {@link dev.tinify.Tinify} facade builds
 * compression models from spec files, bundled specs and the zoo.
 */
@NullMarked
package dev.tinify;

import org.jspecify.annotations.NullMarked;
