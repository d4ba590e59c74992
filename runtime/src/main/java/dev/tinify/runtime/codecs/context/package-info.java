/**
 * Context-model latent codecs: autoregressive raster scan, two-pass checkerboard and channel
 * groups (ELIC's space-channel context), plus the plain-Java engine that makes per-position
 * autoregressive coding fast.
 */
@NullMarked
package dev.tinify.runtime.codecs.context;

import org.jspecify.annotations.NullMarked;
