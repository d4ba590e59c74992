package dev.tinify.runtime.layers;

import dev.tinify.runtime.nn.Layer;

/**
 * A layer's shape arithmetic, so that a compiler can check how layers chain before running
 * anything. Spatially, a layer maps an H×W input to roughly
 * {@code H·upsampling()/downsampling()}: a stride-s convolution with padding k/2 gives
 * {@code ceil(H/s)} for odd k, the transposed convolutions and pixel shuffles give exactly
 * {@code H·r}.
 */
public interface ShapedLayer extends Layer {
    /** {@link #inChannels()} of a layer that accepts any channel count (activations). */
    int ANY = -1;

    /** The input channel count the layer needs, or {@link #ANY}. */
    int inChannels();

    /**
     * The output channel count for {@code inChannels} input channels.
     *
     * @throws IllegalArgumentException naming the layer and the expected count if the layer
     *     cannot take {@code inChannels} channels
     */
    int outChannels(int inChannels);

    /** Factor by which the layer divides height and width (its stride); 1 if none. */
    default int downsampling() {
        return 1;
    }

    /** Factor by which the layer multiplies height and width; 1 if none. */
    default int upsampling() {
        return 1;
    }
}
