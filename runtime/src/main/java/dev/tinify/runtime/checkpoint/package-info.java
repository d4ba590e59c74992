/** Checkpoints: safetensors I/O and state-dict loading with CompressAI's key names. */
@NullMarked
package dev.tinify.runtime.checkpoint;

import org.jspecify.annotations.NullMarked;
