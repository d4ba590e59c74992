package dev.tinify.runtime.layers;

/**
 * An array a layer cannot take (wrong rank or channel count). It names the layer, so a model
 * compiled from a spec can say where in the spec that layer was written.
 */
public final class LayerInputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final transient LayerModule layer;
    private final String expected;

    LayerInputException(LayerModule layer, String problem, String expected) {
        super(layer.describe() + " " + problem);
        this.layer = layer;
        this.expected = expected;
    }

    /** The layer that refused its input. */
    public LayerModule layer() {
        return layer;
    }

    /** What the layer would have needed at this place, for a located message. */
    public String expected() {
        return expected;
    }
}
