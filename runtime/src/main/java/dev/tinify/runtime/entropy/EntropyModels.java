package dev.tinify.runtime.entropy;

import ai.djl.ndarray.NDArray;
import dev.tinify.runtime.nn.Module;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Model-wide operations over every entropy model of a module tree, as CompressAI's
 * {@code CompressionModel.update} and {@code aux_loss}.
 */
public final class EntropyModels {
    private EntropyModels() {}

    /** Every entropy model in the tree, depth first in registration order. */
    public static List<EntropyModel> find(Module root) {
        List<EntropyModel> out = new ArrayList<>();
        collect(root, out);
        return out;
    }

    private static void collect(Module m, List<EntropyModel> out) {
        if (m instanceof EntropyModel e) {
            out.add(e);
        }
        m.children().values().forEach(c -> collect(c, out));
    }

    /**
     * Computes the CDF tables of every entropy model (existing tables are kept unless
     * {@code force}); with {@code updateQuantiles}, entropy bottlenecks first re-solve their
     * quantiles by bisection. Returns whether at least one model was updated.
     */
    public static boolean updateAll(Module root, boolean force, boolean updateQuantiles) {
        boolean updated = false;
        for (EntropyModel e : find(root)) {
            updated |= e instanceof EntropyBottleneck eb ? eb.update(force, updateQuantiles) : e.update(force);
        }
        return updated;
    }

    /**
     * The sum of the auxiliary losses of every {@link EntropyBottleneck} in the tree (only their
     * quantiles get gradients), or null if there is none. Run it inside a
     * {@link dev.tinify.runtime.nn.ForwardScope} on the root so the intermediates are freed.
     */
    public static @Nullable NDArray auxLoss(Module root) {
        NDArray total = null;
        for (EntropyModel e : find(root)) {
            if (e instanceof EntropyBottleneck eb) {
                NDArray l = eb.loss();
                total = total == null ? l : total.add(l);
            }
        }
        return total;
    }
}
