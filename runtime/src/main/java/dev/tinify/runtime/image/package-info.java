/**
 * Image input and output: RGB float images in [0, 1] (CHW), reading PNG/JPEG/PNM, writing 8-bit
 * PNG, centred zero padding to a model's stride and DJL conversion.
 */
@NullMarked
package dev.tinify.runtime.image;

import org.jspecify.annotations.NullMarked;
