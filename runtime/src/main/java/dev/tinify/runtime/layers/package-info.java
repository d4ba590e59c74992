/**
 * Neural-network layers with CompressAI's semantics and state-dict names: convolutions
 * (plain, transposed, masked, sub-pixel), GDN, activations, residual and attention blocks,
 * {@link dev.tinify.runtime.layers.Sequential}. Every layer is a
 * {@link dev.tinify.runtime.layers.LayerModule}: a {@link dev.tinify.runtime.nn.Module} that
 * reports its channel and resolution arithmetic through {@link dev.tinify.runtime.layers.ShapedLayer}.
 *
 * <p>Layers are built on the model's manager; forward passes must run in a scope where the
 * module's arrays are temporarily attached ({@link dev.tinify.runtime.nn.ForwardScope}). Layers
 * close their own intermediates as soon as they are consumed; they never close their input.
 */
@NullMarked
package dev.tinify.runtime.layers;

import org.jspecify.annotations.NullMarked;
