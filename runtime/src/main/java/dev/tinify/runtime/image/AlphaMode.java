package dev.tinify.runtime.image;

/** What reading an image does with an alpha channel (the models code RGB only). */
public enum AlphaMode {
    /**
     * Ignore alpha and keep the stored colours, as CompressAI's evaluation does (PIL's
     * {@code convert("RGB")}); the default, so measured numbers match CompressAI's.
     */
    DROP,
    /** Composite over opaque white: {@code a * colour + (1 - a)}, what a viewer shows. */
    COMPOSITE_WHITE
}
