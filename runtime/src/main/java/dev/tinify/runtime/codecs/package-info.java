/**
 * Latent codecs: entropy-code a latent given side parameters; composable as specs write them.
 *
 * <p>Each codec is a {@link dev.tinify.runtime.nn.Module} implementing
 * {@link dev.tinify.runtime.codecs.LatentCodec}, with CompressAI's semantics, stream order and
 * shapes: {@link dev.tinify.runtime.codecs.EntropyBottleneckLatentCodec},
 * {@link dev.tinify.runtime.codecs.GaussianConditionalLatentCodec},
 * {@link dev.tinify.runtime.codecs.HyperLatentCodec} and
 * {@link dev.tinify.runtime.codecs.HyperpriorLatentCodec}.
 *
 * <p><b>Who names the parts.</b> A codec receives its parts (entropy models, transforms, sub-codecs)
 * as constructor arguments; it never creates them. Where they appear in the state dict is decided by
 * the caller with {@link dev.tinify.runtime.codecs.Parts}: {@code CHILDREN} makes the codec register
 * them as its children under CompressAI's names (latent-codec models:
 * {@code latent_codec.hyper.entropy_bottleneck.quantiles}, {@code latent_codec.y.gaussian_conditional._offset});
 * {@code EXTERNAL} leaves registration to the caller, so that a classic model can keep
 * {@code entropy_bottleneck}, {@code h_a}, {@code h_s} and {@code gaussian_conditional} at its root
 * (ScaleHyperprior's names) while the codec still does the coding. A compiler thus builds the same
 * codec tree for both layouts and only chooses where each part is registered.
 *
 * <p>Memory: codecs do not open scopes of their own for the transforms they call; run them inside a
 * {@link dev.tinify.runtime.nn.ForwardScope} on the model root. The entropy models scope their own
 * intermediates.
 */
@NullMarked
package dev.tinify.runtime.codecs;

import org.jspecify.annotations.NullMarked;
