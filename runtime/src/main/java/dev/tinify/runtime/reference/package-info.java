/** Reference cases produced by CompressAI: reading them and comparing against them. */
@NullMarked
package dev.tinify.runtime.reference;

import org.jspecify.annotations.NullMarked;
