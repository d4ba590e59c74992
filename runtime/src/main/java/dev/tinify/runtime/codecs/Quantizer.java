package dev.tinify.runtime.codecs;

import java.util.Locale;

/** How a codec's forward pass quantizes the latent it passes on (CompressAI's {@code quantizer}). */
public enum Quantizer {
    /** The entropy model's own output: uniform noise in training, rounding in evaluation. */
    NOISE,
    /** Rounding with a straight-through gradient, in training too. */
    STE;

    /** Parses CompressAI's spelling ({@code "noise"}, {@code "ste"}). */
    public static Quantizer of(String name) {
        for (Quantizer q : values()) {
            if (q.name().equalsIgnoreCase(name)) {
                return q;
            }
        }
        throw new IllegalArgumentException("unknown quantizer '" + name + "' (expected noise or ste)");
    }

    /** CompressAI's spelling. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
