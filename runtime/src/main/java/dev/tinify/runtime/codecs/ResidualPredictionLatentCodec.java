package dev.tinify.runtime.codecs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.nn.Layer;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Latent residual prediction (Minnen and Singh 2020): the {@code y} codec's quantized latent plus
 * a prediction of its quantization error from the ctx and the quantized latent itself,
 * {@code y_hat + prediction(cat(ctx, y_hat))}. Encoder and decoder compute the correction from the
 * same decoded values, so the streams and shapes are the {@code y} codec's own. Inside a
 * channel-groups codec the corrected group is what later groups see.
 */
public final class ResidualPredictionLatentCodec extends CodecModule {
    private final LatentCodec y;
    private final Layer prediction;

    /**
     * @param y the codec of the latent
     * @param prediction maps {@code cat(ctx, y_hat)} (or {@code y_hat} without ctx) to a correction of y's channels
     * @param parts how the parts are registered
     */
    public ResidualPredictionLatentCodec(LatentCodec y, Layer prediction, Parts parts) {
        super(parts);
        this.y = part("y", y);
        this.prediction = part("prediction", prediction);
    }

    @Override
    public ForwardOut forward(NDArray latent, @Nullable NDArray ctx) {
        ForwardOut out = y.forward(latent, ctx);
        return new ForwardOut(out.likelihoods(), corrected(out.yHat(), ctx));
    }

    @Override
    public CompressOut compress(NDArray latent, @Nullable NDArray ctx) {
        CompressOut out = y.compress(latent, ctx);
        return new CompressOut(out.strings(), out.shape(), corrected(out.yHat(), ctx));
    }

    @Override
    public NDArray decompress(NDManager manager, List<List<byte[]>> strings, Object shape, @Nullable NDArray ctx) {
        return corrected(y.decompress(manager, strings, shape, ctx), ctx);
    }

    /** {@code yHat + prediction(cat(ctx, yHat))}, consuming {@code yHat}. */
    private NDArray corrected(NDArray yHat, @Nullable NDArray ctx) {
        try (yHat; NDArray input = ctx == null ? yHat.duplicate() : NDArrays.concat(new NDList(ctx, yHat), 1);
             NDArray residual = prediction.forward(input)) {
            if (!residual.getShape().equals(yHat.getShape())) {
                throw new IllegalArgumentException("ResidualPredictionLatentCodec: the prediction has shape " + residual.getShape()
                        + ", the latent " + yHat.getShape());
            }
            return yHat.add(residual);
        }
    }
}
