/**
 * Entropy models with CompressAI's semantics and state-dict names: {@link
 * dev.tinify.runtime.entropy.EntropyBottleneck} (factorized learned density),
 * {@link dev.tinify.runtime.entropy.GaussianConditional} (scale/mean Gaussian with a scale table),
 * {@link dev.tinify.runtime.entropy.GaussianMixtureConditional} (K Gaussians, per-element CDFs),
 * their common base {@link dev.tinify.runtime.entropy.EntropyModel} (quantization, CDF tables,
 * coding) and {@link dev.tinify.runtime.entropy.GaussianMath} (erf and erfc, which DJL lacks).
 *
 * <p>Tables are integer-identical to CompressAI's: the float parts of the factorized density run on
 * libtorch through DJL in CompressAI's operation order; the Gaussian tables use a correctly rounded
 * float32 erfc in the same order, and the default scale table is CompressAI's, bit for bit; the
 * mixture's per-element CDFs follow CompressAI's float32 steps with a correctly rounded erf. Model-wide helpers ({@link
 * dev.tinify.runtime.entropy.EntropyModels}) update every table and sum the auxiliary losses.
 */
@NullMarked
package dev.tinify.runtime.entropy;

import org.jspecify.annotations.NullMarked;
