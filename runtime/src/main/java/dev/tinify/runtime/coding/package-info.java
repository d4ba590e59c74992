/** Entropy coders: rANS (byte-compatible with CompressAI), a range coder, CDF quantization and the coder registry. */
@NullMarked
package dev.tinify.runtime.coding;

import org.jspecify.annotations.NullMarked;
