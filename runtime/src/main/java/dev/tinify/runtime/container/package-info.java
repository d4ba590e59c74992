/** The {@code .tfy} container (compressed images and point clouds) and atomic file writing for every output. */
@NullMarked
package dev.tinify.runtime.container;

import org.jspecify.annotations.NullMarked;
