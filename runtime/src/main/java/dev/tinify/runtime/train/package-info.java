/**
 * Training as CompressAI's example recipe does it: the rate-distortion loss, a net and an aux
 * Adam optimizer over disjoint parameter groups, gradient clipping, learning-rate reduction on a
 * validation plateau, seeded random patches, checkpoints that resume exactly.
 */
@NullMarked
package dev.tinify.runtime.train;

import org.jspecify.annotations.NullMarked;
