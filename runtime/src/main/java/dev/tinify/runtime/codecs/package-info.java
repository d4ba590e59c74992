/** Latent codecs: entropy-code a latent given side parameters; composable as specs write them. */
@NullMarked
package dev.tinify.runtime.codecs;

import org.jspecify.annotations.NullMarked;
