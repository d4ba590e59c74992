package dev.tinify.runtime.codecs;

/**
 * Who registers a codec's parts (entropy models and transforms) as named modules, which decides
 * their state-dict names.
 */
public enum Parts {
    /**
     * The codec registers its parts as its own children under CompressAI's names, as latent-codec
     * models do ({@code latent_codec.hyper.entropy_bottleneck.quantiles},
     * {@code latent_codec.y.gaussian_conditional._offset}).
     */
    CHILDREN,
    /**
     * The caller registers the parts where it wants them; the codec only uses them. Classic models
     * (ScaleHyperprior, MeanScaleHyperprior, ...) keep {@code entropy_bottleneck}, {@code h_a},
     * {@code h_s} and {@code gaussian_conditional} at the model root.
     */
    EXTERNAL
}
