package dev.tinify.runtime.codecs.vbr;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.nn.Param;

/**
 * The trained gains of a variable-rate model, one per rate level: scalars (CompressAI's {@code Gain}
 * parameter of the {@code *Vbr} models, the inverse quantization steps from coarse to fine), or one
 * vector of per-channel gains per level (the gain units of Cui et al., CVPR 2021). The module is
 * the tensor itself, so its state-dict key is the module's own name ({@code Gain}, {@code y_gain}).
 */
public final class GainTable extends Module {
    /** CompressAI's initial gains: eight levels from 0.1 to 1, log-spaced. */
    private static final float[] DEFAULT = {0.1f, 0.13944f, 0.19293f, 0.26874f, 0.37268f, 0.51801f, 0.71957f, 1.0f};

    private final Param gains;

    /** A table of {@code levels} gains, CompressAI's initial values when {@code levels} is 8, else log-spaced from 0.1 to 1. */
    public GainTable(NDManager manager, int levels) {
        this(manager, levels, 0);
    }

    /**
     * With {@code channels} 0, the scalar table of {@link #GainTable(NDManager, int)}; otherwise
     * {@code levels} vectors of {@code channels} gains [levels, channels], starting at 1.
     */
    public GainTable(NDManager manager, int levels, int channels) {
        if (levels < 1 || channels < 0) {
            throw new IllegalArgumentException("Gain: at least one level and no negative channel count are needed, got "
                    + levels + " levels, " + channels + " channels");
        }
        if (channels > 0) {
            this.gains = parameter("", manager.ones(new ai.djl.ndarray.types.Shape(levels, channels)));
            return;
        }
        float[] init = new float[levels];
        for (int i = 0; i < levels; i++) {
            init[i] = levels == DEFAULT.length ? DEFAULT[i] : (float) Math.pow(10, levels == 1 ? 0 : -1 + (double) i / (levels - 1));
        }
        this.gains = parameter("", manager.create(init));
    }

    /** Number of rate levels. */
    public int levels() {
        return (int) gains.value().getShape().get(0);
    }

    /** Channels per level; 0 for a table of scalars. */
    public int channels() {
        return gains.value().getShape().dimension() == 1 ? 0 : (int) gains.value().getShape().get(1);
    }

    /**
     * The gain vector at {@code position} as [1, C, 1, 1] for a latent [B, C, H, W]: the trained
     * vector itself at a whole level (with its gradient), else the geometric interpolation of the
     * two levels around it, per channel ({@code |g_i|^(1-t) * |g_(i+1)|^t}, Cui et al.'s continuous
     * rate adaptation).
     */
    public NDArray vector(double position) {
        if (channels() == 0) {
            throw new IllegalStateException("Gain: a table of scalars has no gain vectors");
        }
        int levels = levels();
        if (!(position >= 0 && position <= levels - 1)) {
            throw new IllegalArgumentException("rate position " + position + " is out of range [0, " + (levels - 1) + "]");
        }
        NDArray table = gains.value();
        int i = (int) Math.floor(position);
        double t = position - i;
        NDArray v;
        if (t == 0) {
            v = table.get(i);
        } else {
            v = table.get(i).abs().log().mul((float) (1 - t)).add(table.get(i + 1).abs().log().mul((float) t)).exp();
        }
        return v.reshape(1, -1, 1, 1);
    }

    /** Every gain of a table of scalars, coarse to fine (absolute values, as CompressAI's compress takes them). */
    public float[] gains() {
        if (channels() != 0) {
            throw new IllegalStateException("Gain: a table of gain vectors has no scalar gains");
        }
        float[] g = gains.value().toFloatArray();
        for (int i = 0; i < g.length; i++) {
            g[i] = Math.abs(g[i]);
        }
        return g;
    }
}
