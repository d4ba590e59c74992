package dev.tinify.runtime.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.nn.Param;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam as {@code torch.optim.Adam} with default betas (0.9, 0.999), eps 1e-8 and no weight decay:
 * <pre>
 *   m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2
 *   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 * Written out here, rather than DJL's fused Adam, so that the moments and step counts are ours to
 * save in a checkpoint and restore exactly. Moments live in the optimizer's own manager;
 * {@link #close()} frees them. Parameters without a gradient are skipped (PyTorch skips
 * {@code grad is None}).
 */
public final class Adam implements AutoCloseable {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;

    private final NDManager manager;
    private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
    private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
    private final Map<String, Long> steps = new LinkedHashMap<>();
    private double lr;

    public Adam(NDManager parent, double lr) {
        this.manager = parent.newSubManager();
        setLearningRate(lr);
    }

    public double learningRate() {
        return lr;
    }

    public void setLearningRate(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be non-negative and finite, got " + lr);
        }
        this.lr = lr;
    }

    /** Updates every parameter of {@code params} from its current gradient. Call with autograd off. */
    public void step(Map<String, Param> params) {
        params.forEach((name, p) -> {
            NDArray w = p.value();
            if (!w.hasGradient()) {
                return;
            }
            try (NDArray g = w.getGradient()) {
                update(name, w, g);
            }
        });
    }

    private void update(String name, NDArray w, NDArray g) {
        NDArray m = expAvg.computeIfAbsent(name, k -> manager.zeros(w.getShape(), w.getDataType()));
        NDArray v = expAvgSq.computeIfAbsent(name, k -> manager.zeros(w.getShape(), w.getDataType()));
        long t = steps.merge(name, 1L, Long::sum);
        double bc1 = 1 - Math.pow(BETA1, t);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(BETA2, t));
        try (NDArray g1 = g.mul((float) (1 - BETA1))) {
            m.muli((float) BETA1).addi(g1);
        }
        try (NDArray g2 = g.square()) {
            g2.muli((float) (1 - BETA2));
            v.muli((float) BETA2).addi(g2);
        }
        try (NDArray denom = v.sqrt(); NDArray step = m.div(denom.divi((float) bc2Sqrt).addi((float) EPS))) {
            w.subi(step.muli((float) (lr / bc1)));
        }
    }

    /** Step count of one parameter (0 before its first update). */
    public long steps(String name) {
        return steps.getOrDefault(name, 0L);
    }

    /** Per-parameter step counts, for a checkpoint. */
    public Map<String, Long> stepCounts() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(steps));
    }

    /** The moments as tensors named {@code prefix + "exp_avg." + name} and {@code prefix + "exp_avg_sq." + name}. */
    public Map<String, SafeTensors.Tensor> moments(String prefix) {
        Map<String, SafeTensors.Tensor> out = new LinkedHashMap<>();
        expAvg.forEach((k, a) -> out.put(prefix + "exp_avg." + k, StateDicts.toTensor(a, false)));
        expAvgSq.forEach((k, a) -> out.put(prefix + "exp_avg_sq." + k, StateDicts.toTensor(a, false)));
        return out;
    }

    /**
     * Restores moments saved by {@link #moments} and their step counts; replaces any current state.
     *
     * @throws IllegalArgumentException if a parameter with a step count has no saved moments
     */
    public void restore(Map<String, SafeTensors.Tensor> tensors, String prefix, Map<String, Long> stepCounts) {
        clear();
        stepCounts.forEach((name, t) -> {
            SafeTensors.Tensor m = tensors.get(prefix + "exp_avg." + name);
            SafeTensors.Tensor v = tensors.get(prefix + "exp_avg_sq." + name);
            if (m == null || v == null) {
                throw new IllegalArgumentException("optimizer state has no moments for " + prefix + name);
            }
            expAvg.put(name, StateDicts.toArray(manager, m));
            expAvgSq.put(name, StateDicts.toArray(manager, v));
            steps.put(name, t);
        });
    }

    private void clear() {
        expAvg.values().forEach(NDArray::close);
        expAvgSq.values().forEach(NDArray::close);
        expAvg.clear();
        expAvgSq.clear();
        steps.clear();
    }

    @Override
    public void close() {
        manager.close();
    }
}
