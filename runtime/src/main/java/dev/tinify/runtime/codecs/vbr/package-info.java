/**
 * Variable bit rate: one model for every rate. The rate knob ({@link dev.tinify.runtime.codecs.vbr.Rate})
 * picks a gain, the inverse quantization step of the latent; the codecs scale the latent by it,
 * code it, and reconstruct with learned quantization offsets (Kamisli et al., DCC 2024, as
 * CompressAI's {@code *Vbr} models).
 */
@NullMarked
package dev.tinify.runtime.codecs.vbr;

import org.jspecify.annotations.NullMarked;
