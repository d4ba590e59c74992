package dev.tinify.runtime.codecs.vbr;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.codecs.CodecModule;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.codecs.Parts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gain-controlled hyperprior of Cui et al. (CVPR 2021), as CompressAI's
 * {@code GainHyperpriorLatentCodec}: per-channel gain and inverse-gain vectors on y and on z, one
 * of each per trained level, choose the rate; between levels the vectors are interpolated
 * geometrically ({@link GainTable#vector}), which gives a continuous rate.
 *
 * <pre>
 *         z_gain  z_gain_inv
 *            ▼        ▼
 *           ┌┴────────┴┐
 *     ┌──►──┤  hyper   ├──►─┐ params
 *     │     └──────────┘    ▼
 *     │     y_gain       ┌──┴──┐   y_gain_inv
 * y ──┴──────►──×──►─────┤  y  ├───►──×──►── y_hat
 *                        └─────┘
 * </pre>
 *
 * The y codec is any latent codec taking params as ctx (Gaussian conditional, raster scan, ...).
 * Streams: the y codec's, then z; shape {@code {"y": ..., "hyper": ...}}. The rate is a level or
 * a fractional position between levels ({@link Rate#positionAmong}).
 */
public final class GainHyperpriorLatentCodec extends CodecModule implements VariableRateCodec {
    private static final String NAME = "GainHyperpriorLatentCodec";
    private final LatentCodec y;
    private final GainHyperLatentCodec hyper;
    private final GainTable yGain;
    private final GainTable yGainInv;
    private final GainTable zGain;
    private final GainTable zGainInv;

    /** The four tables must have the same number of levels; y's have y's channels, z's z's. */
    public GainHyperpriorLatentCodec(LatentCodec y, GainHyperLatentCodec hyper, GainTable yGain, GainTable yGainInv,
            GainTable zGain, GainTable zGainInv, Parts parts) {
        super(parts);
        int levels = yGain.levels();
        for (GainTable t : List.of(yGain, yGainInv, zGain, zGainInv)) {
            if (t.channels() == 0 || t.levels() != levels) {
                throw new IllegalArgumentException(NAME + ": the gain tables need one vector per level and the same "
                        + levels + " levels, got " + t.levels() + " levels of " + t.channels() + " channels");
            }
        }
        this.y = part("y", y);
        this.hyper = part("hyper", hyper);
        this.yGain = part("y_gain", yGain);
        this.yGainInv = part("y_gain_inv", yGainInv);
        this.zGain = part("z_gain", zGain);
        this.zGainInv = part("z_gain_inv", zGainInv);
    }

    @Override
    public int levels() {
        return yGain.levels();
    }

    @Override
    public ForwardOut forward(NDArray latent, Rate rate) {
        double p = rate.positionAmong(levels());
        ForwardOut h = hyper.forward(latent, zGain.vector(p), zGainInv.vector(p));
        ForwardOut out = y.forward(latent.mul(yGain.vector(p)), h.yHat());
        Map<String, NDArray> likelihoods = new LinkedHashMap<>(out.likelihoods());
        likelihoods.putAll(h.likelihoods());
        return new ForwardOut(likelihoods, out.yHat().mul(yGainInv.vector(p)));
    }

    /** The hyperprior without gains: the base model of Cui et al.'s gain units. */
    @Override
    public ForwardOut forwardBase(NDArray latent) {
        ForwardOut h = hyper.forward(latent, null, null);
        ForwardOut out = y.forward(latent, h.yHat());
        Map<String, NDArray> likelihoods = new LinkedHashMap<>(out.likelihoods());
        likelihoods.putAll(h.likelihoods());
        return new ForwardOut(likelihoods, out.yHat());
    }

    @Override
    public CompressOut compress(NDArray latent, Rate rate) {
        double p = rate.positionAmong(levels());
        CompressOut h = hyper.compress(latent, zGain.vector(p), zGainInv.vector(p));
        CompressOut out = y.compress(latent.mul(yGain.vector(p)), h.yHat());
        List<List<byte[]>> strings = new ArrayList<>(out.strings());
        strings.addAll(h.strings());
        Map<String, Object> shape = new LinkedHashMap<>();
        shape.put("y", out.shape());
        shape.put("hyper", h.shape());
        return new CompressOut(strings, shape, out.yHat().mul(yGainInv.vector(p)));
    }

    @Override
    public NDArray decompress(NDManager manager, List<List<byte[]>> strings, Object shape, Rate rate) {
        double p = rate.positionAmong(levels());
        if (strings.size() < 2) {
            throw new IllegalArgumentException(NAME + ": expected y streams and a z stream, got " + strings.size() + " streams");
        }
        if (!(shape instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(NAME + ": expected a shape {y: ..., hyper: ...}, got " + shape);
        }
        List<byte[]> z = strings.get(strings.size() - 1);
        List<List<byte[]>> yStrings = strings.subList(0, strings.size() - 1);
        for (List<byte[]> s : yStrings) {
            if (s.size() != z.size()) {
                throw new IllegalArgumentException(NAME + ": y stream has " + s.size() + " batch items, z stream " + z.size());
            }
        }
        try (NDManager sub = manager.newSubManager()) {
            sub.tempAttachAll(arrays());
            NDArray params = hyper.decompressWithGain(sub, List.of(z), entry(m, "hyper", NAME), zGainInv.vector(p));
            NDArray yHat = y.decompress(sub, yStrings, entry(m, "y", NAME), params).mul(yGainInv.vector(p));
            yHat.attach(manager);
            return yHat;
        }
    }
}
