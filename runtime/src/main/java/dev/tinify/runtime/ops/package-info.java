/**
 * Tensor operations shared by layers and entropy models: convolution helpers (including the
 * transposed convolution and pixel shuffle DJL lacks), CompressAI's {@link
 * dev.tinify.runtime.ops.LowerBound} and {@link dev.tinify.runtime.ops.NonNegativeParametrizer},
 * default parameter initialization and autograd helpers.
 */
@NullMarked
package dev.tinify.runtime.ops;

import org.jspecify.annotations.NullMarked;
