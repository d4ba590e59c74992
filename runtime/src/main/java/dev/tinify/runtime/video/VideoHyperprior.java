package dev.tinify.runtime.video;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.codecs.GaussianConditionalLatentCodec;
import dev.tinify.runtime.codecs.HyperLatentCodec;
import dev.tinify.runtime.codecs.HyperpriorLatentCodec;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.codecs.Parts;
import dev.tinify.runtime.codecs.Quantizer;
import dev.tinify.runtime.entropy.EntropyBottleneck;
import dev.tinify.runtime.entropy.GaussianConditional;
import dev.tinify.runtime.layers.Activation;
import dev.tinify.runtime.layers.Conv2d;
import dev.tinify.runtime.layers.ConvTranspose2d;
import dev.tinify.runtime.layers.Sequential;
import dev.tinify.runtime.nn.Module;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The mean-scale hyperprior each ScaleSpaceFlow codec (keyframe, motion, residual) uses, as
 * CompressAI's inner {@code ScaleSpaceFlow.Hyperprior}: {@code z = hyper_encoder(y)} coded by an
 * entropy bottleneck, then {@code hyper_decoder_scale(z_hat)} (deconvolutions with QReLU) and
 * {@code hyper_decoder_mean(z_hat)} give the scales and means of the Gaussian conditional that
 * codes y. Keys: {@code entropy_bottleneck.*}, {@code hyper_encoder.{0,2,4}.*},
 * {@code hyper_decoder_mean.{0,2,4}.*}, {@code hyper_decoder_scale.deconv{1,2,3}.*},
 * {@code gaussian_conditional.*}. Streams {@code [y, z]}, shape {@code [h_z, w_z]}.
 *
 * <p>It is the hyperprior latent codec with these parts: y is quantized around the means with a
 * straight-through gradient in training (CompressAI's {@code quantize_ste(y - means) + means}),
 * z with noise.
 */
public final class VideoHyperprior extends Module {
    private final HyperpriorLatentCodec codec;

    /** A hyperprior over {@code planes}-channel latents (z has {@code planes} channels too, as in CompressAI). */
    public VideoHyperprior(NDManager manager, int planes) {
        EntropyBottleneck eb = child("entropy_bottleneck", new EntropyBottleneck(manager, planes));
        Sequential encoder = child("hyper_encoder", new Sequential(
                new Conv2d(manager, planes, planes, 5, 2), Activation.relu(),
                new Conv2d(manager, planes, planes, 5, 2), Activation.relu(),
                new Conv2d(manager, planes, planes, 5, 2)));
        Sequential mean = child("hyper_decoder_mean", new Sequential(
                new ConvTranspose2d(manager, planes, planes, 5, 2), Activation.relu(),
                new ConvTranspose2d(manager, planes, planes, 5, 2), Activation.relu(),
                new ConvTranspose2d(manager, planes, planes, 5, 2)));
        QReluHyperDecoder scale = child("hyper_decoder_scale", new QReluHyperDecoder(manager, planes));
        GaussianConditional gc = child("gaussian_conditional", new GaussianConditional(manager));
        HyperLatentCodec hyper = new HyperLatentCodec(eb, encoder,
                z -> NDArrays.concat(new NDList(scale.forward(z), mean.forward(z)), 1), Quantizer.NOISE, false, Parts.EXTERNAL);
        GaussianConditionalLatentCodec y = new GaussianConditionalLatentCodec(gc, null, Quantizer.STE,
                GaussianConditionalLatentCodec.Chunks.SCALES_MEANS, Parts.EXTERNAL);
        this.codec = new HyperpriorLatentCodec(y, hyper, Parts.EXTERNAL);
    }

    /** Quantized y and the likelihoods {@code y} and {@code z}. */
    public LatentCodec.ForwardOut forward(NDArray y) {
        return codec.forward(y, null);
    }

    /** Streams {@code [y, z]}, shape {@code [h_z, w_z]}, and y as the decoder will see it. */
    public LatentCodec.CompressOut compress(NDArray y) {
        return codec.compress(y, null);
    }

    /** Decodes y from the streams {@code [y, z]} and the shape {@code [h_z, w_z]}. */
    public NDArray decompress(NDManager manager, List<List<byte[]>> strings, Object shape) {
        if (strings.size() != 2) {
            throw new IllegalArgumentException("a ScaleSpaceFlow hyperprior has 2 streams (y, z), got " + strings.size());
        }
        return codec.decompress(manager, strings, shape, (@Nullable NDArray) null);
    }
}
