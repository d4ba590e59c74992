/** Module tree with CompressAI-compatible names, parameters and the forward memory scope. */
@NullMarked
package dev.tinify.runtime.nn;

import org.jspecify.annotations.NullMarked;
