/** The {@code tinify} command line (picocli): inspect, check, encode, decode, update, train, export, eval, bench, plot, bdrate. */
@NullMarked
package dev.tinify.cli;

import org.jspecify.annotations.NullMarked;
