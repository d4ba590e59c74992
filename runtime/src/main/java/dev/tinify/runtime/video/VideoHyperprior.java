package dev.tinify.runtime.video;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.codecs.CodecModule;
import dev.tinify.runtime.codecs.GaussianConditionalLatentCodec;
import dev.tinify.runtime.codecs.HyperLatentCodec;
import dev.tinify.runtime.codecs.HyperpriorLatentCodec;
import dev.tinify.runtime.codecs.Parts;
import dev.tinify.runtime.codecs.Quantizer;
import dev.tinify.runtime.entropy.EntropyBottleneck;
import dev.tinify.runtime.entropy.GaussianConditional;
import dev.tinify.runtime.nn.Layer;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@code mean_scale_hyperprior} latent codec, as CompressAI's {@code ScaleSpaceFlow.Hyperprior}
 * (the keyframe, motion and residual codecs of ssf2020): {@code z = hyper_encoder(y)} coded by an
 * entropy bottleneck, then {@code hyper_decoder_scale(z_hat)} and {@code hyper_decoder_mean(z_hat)}
 * give the scales and means of the Gaussian conditional that codes y. Its parts keep CompressAI's
 * names ({@code entropy_bottleneck.*}, {@code hyper_encoder.*}, {@code hyper_decoder_mean.*},
 * {@code hyper_decoder_scale.*}, {@code gaussian_conditional.*}) below the codec's own name.
 * Streams {@code [y, z]}, shape {@code [h_z, w_z]}.
 *
 * <p>It is the hyperprior latent codec over these parts: y is quantized around the means with a
 * straight-through gradient in training (CompressAI's {@code quantize_ste(y - means) + means}),
 * z with noise.
 */
public final class VideoHyperprior extends CodecModule {
    private final HyperpriorLatentCodec codec;

    /** The codec over the given parts, registered as {@code parts} says. */
    public VideoHyperprior(EntropyBottleneck entropyBottleneck, Layer hyperEncoder, Layer hyperDecoderMean, Layer hyperDecoderScale,
                           GaussianConditional gaussianConditional, Parts parts) {
        super(parts);
        EntropyBottleneck eb = part("entropy_bottleneck", entropyBottleneck);
        Layer encoder = part("hyper_encoder", hyperEncoder);
        Layer mean = part("hyper_decoder_mean", hyperDecoderMean);
        Layer scale = part("hyper_decoder_scale", hyperDecoderScale);
        GaussianConditional gc = part("gaussian_conditional", gaussianConditional);
        HyperLatentCodec hyper = new HyperLatentCodec(eb, encoder,
                z -> NDArrays.concat(new NDList(scale.forward(z), mean.forward(z)), 1), Quantizer.NOISE, false, Parts.EXTERNAL);
        GaussianConditionalLatentCodec y = new GaussianConditionalLatentCodec(gc, null, Quantizer.STE,
                GaussianConditionalLatentCodec.Chunks.SCALES_MEANS, Parts.EXTERNAL);
        this.codec = new HyperpriorLatentCodec(y, hyper, Parts.EXTERNAL);
    }

    /** Quantized y and the likelihoods {@code y} and {@code z}. */
    @Override
    public ForwardOut forward(NDArray y, @Nullable NDArray ctx) {
        return codec.forward(y, null);
    }

    /** Streams {@code [y, z]}, shape {@code [h_z, w_z]}, and y as the decoder will see it. */
    @Override
    public CompressOut compress(NDArray y, @Nullable NDArray ctx) {
        return codec.compress(y, null);
    }

    /** Decodes y from the streams {@code [y, z]} and the shape {@code [h_z, w_z]}. */
    @Override
    public NDArray decompress(NDManager manager, List<List<byte[]>> strings, Object shape, @Nullable NDArray ctx) {
        if (strings.size() != 2) {
            throw new IllegalArgumentException("a mean-scale hyperprior has 2 streams (y, z), got " + strings.size());
        }
        return codec.decompress(manager, strings, shape, (@Nullable NDArray) null);
    }
}
