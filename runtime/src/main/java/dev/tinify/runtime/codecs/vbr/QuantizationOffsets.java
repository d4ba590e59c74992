package dev.tinify.runtime.codecs.vbr;

import dev.tinify.runtime.ops.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.tinify.runtime.entropy.GaussianConditional;
import dev.tinify.runtime.nn.Layer;
import org.jspecify.annotations.Nullable;

/**
 * Quantization-reconstruction offsets (CompressAI's {@code QuantABCD}): a small network maps each
 * element's bounded scale (in quantization steps) and the gain to an offset that pulls the
 * reconstruction of a nonzero symbol towards zero, where a Laplacian-like latent has more mass:
 * {@code y_hat = sign * (|q| - net(max(scale * gain, bound), gain)) / gain + mean}. Zero symbols
 * keep offset 0.
 */
final class QuantizationOffsets {
    /** Below this a symbol counts as zero (CompressAI's threshold on {@code |q|}). */
    private static final float ZERO = 1e-4f;

    private final Layer net;
    private final GaussianConditional gaussianConditional;

    QuantizationOffsets(Layer net, GaussianConditional gaussianConditional) {
        this.net = net;
        this.gaussianConditional = gaussianConditional;
    }

    /**
     * The reconstruction of quantized magnitudes {@code qAbs} with their {@code signs}, given the
     * scales already multiplied by the gain, the gain, and the means (null: zero).
     */
    NDArray reconstruct(NDArray qAbs, NDArray signs, NDArray scaledScales, float gain, @Nullable NDArray means) {
        NDArray stdev = gaussianConditional.lowerBoundScale(scaledScales);
        NDArray gains = stdev.getManager().full(stdev.getShape(), gain);
        NDArray input = NDArrays.stack(new NDList(stdev, gains), stdev.getShape().dimension());
        NDArray offsets = net.forward(input).squeeze(-1).neg();
        NDArray kept = NDArrays.where(qAbs.lt(ZERO), qAbs.zerosLike(), offsets);
        NDArray y = signs.mul(qAbs.add(kept)).mul(Scalars.constant(qAbs.getManager(), 1f / gain));
        return means == null ? y : y.add(means);
    }
}
