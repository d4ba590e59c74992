package dev.tinify.runtime.container;

/**
 * What a {@code .tfy} file holds, by {@link TfyKind}: a {@link TfyContainer} (an image) or a
 * {@link PointCloudContainer}. {@link TfyReader#parseAny} reads either; both record the model
 * that coded them the same way.
 */
public sealed interface TfyFile permits TfyContainer, PointCloudContainer {
    /** The content kind. */
    TfyKind kind();

    /** Architecture name, as the spec names it. */
    String architecture();

    /** Lowercase hex digest of the spec the model was compiled from. */
    String specHash();

    /** Quality index (0..65535). */
    int quality();

    /** The quality as written for people: {@code 3}, or {@code 3.5} for an image coded at a fractional quality. */
    default String qualityLabel() {
        return String.valueOf(quality());
    }

    /** The metric the model was trained for. */
    String metric();

    /** The entropy coder's name. */
    String entropyCoder();

    /** How the entropy parameters were computed. */
    String entropyParams();

    /** Total bytes of all strings (what the rate counts). */
    long stringBytes();

    /** The file's bytes. */
    byte[] toBytes();
}
