/** Describes compiled models: module tree, parameter counts and traced shapes ({@code tinify inspect}). */
@NullMarked
package dev.tinify.inspect;

import org.jspecify.annotations.NullMarked;
