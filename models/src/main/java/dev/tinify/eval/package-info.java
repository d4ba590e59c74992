/**
 * Evaluation tools: CompressAI-schema result files, the classic-codec bench, rate-distortion
 * plots and Bjontegaard deltas.
 */
@NullMarked
package dev.tinify.eval;

import org.jspecify.annotations.NullMarked;
