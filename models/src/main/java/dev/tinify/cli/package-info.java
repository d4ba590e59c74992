/** The {@code tinify} command line (picocli): {@code inspect}, {@code check}. */
@NullMarked
package dev.tinify.cli;

import org.jspecify.annotations.NullMarked;
