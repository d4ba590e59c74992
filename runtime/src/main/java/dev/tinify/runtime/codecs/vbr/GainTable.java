package dev.tinify.runtime.codecs.vbr;

import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.nn.Param;

/**
 * The trained gains of a variable-rate model, one per rate level (CompressAI's {@code Gain}
 * parameter, the inverse quantization steps from coarse to fine). The module is the tensor itself,
 * so its state-dict key is the module's own name ({@code Gain}).
 */
public final class GainTable extends Module {
    /** CompressAI's initial gains: eight levels from 0.1 to 1, log-spaced. */
    private static final float[] DEFAULT = {0.1f, 0.13944f, 0.19293f, 0.26874f, 0.37268f, 0.51801f, 0.71957f, 1.0f};

    private final Param gains;

    /** A table of {@code levels} gains, CompressAI's initial values when {@code levels} is 8, else log-spaced from 0.1 to 1. */
    public GainTable(NDManager manager, int levels) {
        if (levels < 1) {
            throw new IllegalArgumentException("Gain: at least one level is needed, got " + levels);
        }
        float[] init = new float[levels];
        for (int i = 0; i < levels; i++) {
            init[i] = levels == DEFAULT.length ? DEFAULT[i] : (float) Math.pow(10, levels == 1 ? 0 : -1 + (double) i / (levels - 1));
        }
        this.gains = parameter("", manager.create(init));
    }

    /** Number of rate levels. */
    public int levels() {
        return (int) gains.value().size();
    }

    /** Every gain, coarse to fine (absolute values, as CompressAI's compress takes them). */
    public float[] gains() {
        float[] g = gains.value().toFloatArray();
        for (int i = 0; i < g.length; i++) {
            g[i] = Math.abs(g[i]);
        }
        return g;
    }
}
