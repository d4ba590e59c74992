/** The {@code .tfy} compressed-image container and atomic file writing for every output. */
@NullMarked
package dev.tinify.runtime.container;

import org.jspecify.annotations.NullMarked;
