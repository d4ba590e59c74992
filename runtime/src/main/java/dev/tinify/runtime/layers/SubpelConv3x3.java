package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDManager;

/**
 * CompressAI's {@code subpel_conv3x3(in, out, r)}: a 3×3 convolution to {@code out·r²} channels
 * followed by a pixel shuffle, as a sequence (keys {@code 0.weight}, {@code 0.bias}).
 */
public final class SubpelConv3x3 extends Sequential {

    public SubpelConv3x3(NDManager manager, int in, int out, int factor) {
        super(Conv2d.conv3x3(manager, in, out * factor * factor), new PixelShuffle(factor));
    }
}
