/** The compiled compression model: forward, compress, decompress, update, state dict. */
@NullMarked
package dev.tinify.runtime.model;

import org.jspecify.annotations.NullMarked;
