package dev.tinify.runtime.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.nn.Param;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Adam as {@code torch.optim.Adam} with default betas (0.9, 0.999), eps 1e-8 and no weight decay:
 * <pre>
 *   m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2
 *   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 * over a fixed group of float32 parameters. Written out here, rather than DJL's Adam, so that the
 * moments and the step count are ours to save in a checkpoint and restore exactly. The group's
 * gradients are handled as one flat vector ({@link #gradients}): a few tensor operations per step
 * instead of a dozen per parameter, which matters because every operation pays a thread
 * synchronization. A parameter without a gradient counts as a zero gradient. Parameters named by
 * {@link #hold} keep their values (their moments are still kept, so a checkpoint's layout does not
 * depend on what was held). Moments live in the optimizer's own manager; {@link #close()} frees them.
 */
public final class Adam implements AutoCloseable {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;

    private final NDManager manager;
    private final Map<String, Param> params;
    private final long[] offsets;
    private final long size;
    private Set<String> held = Set.of();
    private NDArray expAvg;
    private NDArray expAvgSq;
    private long steps;
    private double lr;

    /** An optimizer for {@code params} (float32, in this order) whose state lives in a sub-manager of {@code parent}. */
    public Adam(NDManager parent, Map<String, Param> params, double lr) {
        this.params = new LinkedHashMap<>(params);
        this.offsets = new long[params.size() + 1];
        int i = 0;
        for (Map.Entry<String, Param> e : params.entrySet()) {
            NDArray w = e.getValue().value();
            if (w.getDataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException("Adam: parameter " + e.getKey() + " is " + w.getDataType() + ", expected float32");
            }
            offsets[i + 1] = offsets[i] + w.size();
            i++;
        }
        this.size = offsets[params.size()];
        this.manager = parent.newSubManager();
        this.expAvg = manager.zeros(new Shape(size));
        this.expAvgSq = manager.zeros(new Shape(size));
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

    /**
     * Keeps the parameters named in {@code names} at their values from now on (replacing any
     * earlier set).
     *
     * @throws IllegalArgumentException if a name is not one of the group's parameters
     */
    public void hold(Set<String> names) {
        for (String n : names) {
            if (!params.containsKey(n)) {
                throw new IllegalArgumentException("Adam: no parameter " + n + " in the group");
            }
        }
        held = Set.copyOf(names);
    }

    /** Steps taken so far. */
    public long steps() {
        return steps;
    }

    /** The group's current gradients as one flat vector in {@code m} (zeros for a parameter without one). */
    public NDArray gradients(NDManager m) {
        if (params.isEmpty()) {
            return m.zeros(new Shape(0));
        }
        List<NDArray> handles = new ArrayList<>();
        NDList flat = new NDList();
        try {
            for (Param p : params.values()) {
                NDArray w = p.value();
                if (w.hasGradient()) {
                    NDArray g = w.getGradient();
                    handles.add(g);
                    flat.add(g.reshape(-1));
                } else {
                    flat.add(m.zeros(new Shape(w.size())));
                }
            }
            NDArray all = flat.size() == 1 ? flat.get(0).duplicate() : NDArrays.concat(flat);
            all.attach(m);
            return all;
        } finally {
            flat.close();
            handles.forEach(NDArray::close);
        }
    }

    /** One update of every parameter from {@code grad}, a flat vector as {@link #gradients} makes. Call with autograd off. */
    public void step(NDArray grad) {
        if (grad.size() != size) {
            throw new IllegalArgumentException("Adam: gradient of " + grad.size() + " values for " + size + " parameters");
        }
        steps++;
        double bc1 = 1 - Math.pow(BETA1, steps);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(BETA2, steps));
        try (NDManager sub = manager.newSubManager()) {
            // Results of operations on these land in sub and are freed with it.
            sub.tempAttachAll(new NDList(grad, expAvg, expAvgSq));
            try (NDArray g1 = grad.mul((float) (1 - BETA1))) {
                expAvg.muli((float) BETA1).addi(g1);
            }
            try (NDArray g2 = grad.square()) {
                g2.muli((float) (1 - BETA2));
                expAvgSq.muli((float) BETA2).addi(g2);
            }
            NDArray update;
            try (NDArray denom = expAvgSq.sqrt()) {
                denom.divi((float) bc2Sqrt).addi((float) EPS);
                update = expAvg.div(denom).muli((float) (lr / bc1));
            }
            int i = 0;
            for (Map.Entry<String, Param> e : params.entrySet()) {
                if (held.contains(e.getKey())) {
                    i++;
                    continue;
                }
                NDArray w = e.getValue().value();
                try (NDArray slice = update.get(new NDIndex().addSliceDim(offsets[i], offsets[i + 1]));
                        NDArray shaped = slice.reshape(w.getShape())) {
                    w.subi(shaped);
                }
                i++;
            }
        }
    }

    /** The moments per parameter, named {@code prefix + "exp_avg." + name} and {@code prefix + "exp_avg_sq." + name}. */
    public Map<String, SafeTensors.Tensor> moments(String prefix) {
        Map<String, SafeTensors.Tensor> out = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, Param> e : params.entrySet()) {
            Shape shape = e.getValue().value().getShape();
            NDIndex range = new NDIndex().addSliceDim(offsets[i], offsets[i + 1]);
            try (NDArray m = expAvg.get(range); NDArray ms = m.reshape(shape); NDArray v = expAvgSq.get(range);
                    NDArray vs = v.reshape(shape)) {
                out.put(prefix + "exp_avg." + e.getKey(), StateDicts.toTensor(ms, false));
                out.put(prefix + "exp_avg_sq." + e.getKey(), StateDicts.toTensor(vs, false));
            }
            i++;
        }
        return out;
    }

    /**
     * Restores moments saved by {@link #moments} and the step count.
     *
     * @throws IllegalArgumentException if a parameter's moments are missing or misshapen
     */
    public void restore(Map<String, SafeTensors.Tensor> tensors, String prefix, long stepCount) {
        float[] m = new float[Math.toIntExact(size)];
        float[] v = new float[Math.toIntExact(size)];
        int i = 0;
        for (String name : params.keySet()) {
            copy(tensors, prefix + "exp_avg." + name, m, i);
            copy(tensors, prefix + "exp_avg_sq." + name, v, i);
            i++;
        }
        expAvg.close();
        expAvgSq.close();
        expAvg = manager.create(m);
        expAvgSq = manager.create(v);
        steps = stepCount;
    }

    private void copy(Map<String, SafeTensors.Tensor> tensors, String key, float[] into, int index) {
        SafeTensors.Tensor t = tensors.get(key);
        long n = offsets[index + 1] - offsets[index];
        if (t == null || t.elements() != n) {
            throw new IllegalArgumentException("optimizer state: " + key + (t == null ? " is missing" : " has " + t.elements()
                    + " values, the parameter has " + n));
        }
        System.arraycopy(t.toFloats(), 0, into, (int) offsets[index], (int) n);
    }

    @Override
    public void close() {
        manager.close();
    }
}
