/**
 * Encoder-side latent refinement: before coding, the latent of the image being encoded is
 * optimized for that image's own rate-distortion loss with the model's weights frozen ({@link
 * dev.tinify.runtime.refine.LatentRefiner}), with a straight-through rounding or stochastic Gumbel
 * annealing ({@link dev.tinify.runtime.refine.SgaRounding}; Yang, Bamler and Mandt, NeurIPS 2020).
 * The bitstream format is unchanged: any decoder of the model decodes the result.
 */
@NullMarked
package dev.tinify.runtime.refine;

import org.jspecify.annotations.NullMarked;
