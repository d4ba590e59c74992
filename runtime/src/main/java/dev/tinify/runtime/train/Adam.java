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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * Adam as {@code torch.optim.Adam} with default betas (0.9, 0.999), eps 1e-8 and no weight decay:
 * <pre>
 *   m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2
 *   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 * over a fixed group of float32 parameters, where {@code t} counts the steps each parameter took
 * (as torch keeps one count per parameter). Written out here, rather than DJL's Adam, so that the
 * moments and the step counts are ours to save in a checkpoint and restore exactly. The group's
 * gradients are handled as one flat vector ({@link #gradients}): a few tensor operations per step
 * instead of a dozen per parameter, which matters because every operation pays a thread
 * synchronization. A parameter without a gradient counts as a zero gradient. Parameters named by
 * {@link #hold} take no step at all, as torch skips a parameter without a gradient: their values,
 * moments and step counts stay as they are, so once released they start where they stopped
 * (released after never stepping, exactly as a fresh Adam would). While every count is equal and
 * nothing is held, the bias corrections are two scalars; otherwise they are per-element vectors
 * built from the counts. Moments live in the optimizer's own manager; {@link #close()} frees them.
 */
public final class Adam implements AutoCloseable {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;

    private final NDManager manager;
    private final Map<String, Param> params;
    private final long[] offsets;
    private final long size;
    private final long[] counts;
    private final boolean[] held;
    /** 1 at the entries of parameters not held, 0 at the held ones; null while nothing is held. Made by {@link #hold}. */
    private @Nullable NDArray activeMask;
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
        this.counts = new long[params.size()];
        this.held = new boolean[params.size()];
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
     * Keeps the parameters named in {@code names} out of every step from now on (replacing any
     * earlier set): their values, moments and step counts do not change until they are released.
     *
     * @throws IllegalArgumentException if a name is not one of the group's parameters
     */
    public void hold(Set<String> names) {
        for (String n : names) {
            if (!params.containsKey(n)) {
                throw new IllegalArgumentException("Adam: no parameter " + n + " in the group");
            }
        }
        int i = 0;
        for (String n : params.keySet()) {
            held[i++] = names.contains(n);
        }
        if (activeMask != null) {
            activeMask.close();
            activeMask = null;
        }
        if (!names.isEmpty()) {
            boolean[] active = new boolean[Math.toIntExact(size)];
            for (int p = 0; p < held.length; p++) {
                Arrays.fill(active, (int) offsets[p], (int) offsets[p + 1], !held[p]);
            }
            activeMask = manager.create(active);
        }
    }

    /** Steps taken so far by the group ({@link #step} calls), whatever was held. */
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

    /**
     * One update of every parameter not held from {@code grad}, a flat vector as {@link #gradients}
     * makes (the held parameters' entries are ignored). Call with autograd off.
     */
    public void step(NDArray grad) {
        if (grad.size() != size) {
            throw new IllegalArgumentException("Adam: gradient of " + grad.size() + " values for " + size + " parameters");
        }
        steps++;
        if (counts.length == 0) {
            return;
        }
        for (int i = 0; i < counts.length; i++) {
            if (!held[i]) {
                counts[i]++;
            }
        }
        try (NDManager sub = manager.newSubManager()) {
            // Results of operations on these land in sub and are freed with it.
            NDArray mask = activeMask;
            sub.tempAttachAll(mask == null ? new NDList(grad, expAvg, expAvgSq) : new NDList(grad, expAvg, expAvgSq, mask));
            if (mask == null) {
                try (NDArray g1 = grad.mul((float) (1 - BETA1))) {
                    expAvg.muli((float) BETA1).addi(g1);
                }
                try (NDArray g2 = grad.square()) {
                    g2.muli((float) (1 - BETA2));
                    expAvgSq.muli((float) BETA2).addi(g2);
                }
            } else {
                updateMomentsExceptHeld(mask, grad);
            }
            NDArray update;
            try (NDArray denom = expAvgSq.sqrt()) {
                if (mask == null && equalCounts()) {
                    double bc1 = 1 - Math.pow(BETA1, counts[0]);
                    double bc2Sqrt = Math.sqrt(1 - Math.pow(BETA2, counts[0]));
                    denom.divi((float) bc2Sqrt).addi((float) EPS);
                    update = expAvg.div(denom).muli((float) (lr / bc1));
                } else {
                    try (NDArray bc2Sqrt = perElement(sub, t -> Math.sqrt(1 - Math.pow(BETA2, t)));
                            NDArray stepSize = perElement(sub, t -> lr / (1 - Math.pow(BETA1, t)))) {
                        denom.divi(bc2Sqrt).addi((float) EPS);
                        update = expAvg.div(denom).muli(stepSize);
                    }
                }
            }
            int i = 0;
            for (Param p : params.values()) {
                if (held[i]) {
                    i++;
                    continue;
                }
                NDArray w = p.value();
                try (NDArray slice = update.get(new NDIndex().addSliceDim(offsets[i], offsets[i + 1]));
                        NDArray shaped = slice.reshape(w.getShape())) {
                    w.subi(shaped);
                }
                i++;
            }
        }
    }

    private boolean equalCounts() {
        for (long c : counts) {
            if (c != counts[0]) {
                return false;
            }
        }
        return true;
    }

    /** The moments' update, with the held parameters' entries kept as they were whatever their gradient (a non-finite one included). */
    private void updateMomentsExceptHeld(NDArray mask, NDArray grad) {
        NDArray m = expAvg.mul((float) BETA1).addi(grad.mul((float) (1 - BETA1)));
        NDArray v = expAvgSq.mul((float) BETA2).addi(grad.square().muli((float) (1 - BETA2)));
        expAvg.intern(NDArrays.where(mask, m, expAvg));
        expAvgSq.intern(NDArrays.where(mask, v, expAvgSq));
    }

    /** A flat vector holding, for each parameter's entries, {@code f} of its step count (1 for a held parameter's). */
    private NDArray perElement(NDManager m, LongToDoubleFunction f) {
        float[] out = new float[Math.toIntExact(size)];
        for (int i = 0; i < counts.length; i++) {
            Arrays.fill(out, (int) offsets[i], (int) offsets[i + 1], held[i] ? 1f : (float) f.applyAsDouble(counts[i]));
        }
        return m.create(out);
    }

    /**
     * The state per parameter: moments named {@code prefix + "exp_avg." + name} and
     * {@code prefix + "exp_avg_sq." + name}, and the step count (an I32 scalar) {@code prefix + "step." + name}.
     */
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
            out.put(prefix + "step." + e.getKey(), SafeTensors.Tensor.ofInts(new int[] {Math.toIntExact(counts[i])}));
            i++;
        }
        return out;
    }

    /**
     * Restores the state saved by {@link #moments} and the group's step count. A parameter without
     * a saved step count (a state written before they were kept) gets {@code stepCount}.
     *
     * @throws IllegalArgumentException if a parameter's moments are missing or misshapen, or its
     *     step count is not one I32 between 0 and {@code stepCount}
     */
    public void restore(Map<String, SafeTensors.Tensor> tensors, String prefix, long stepCount) {
        if (stepCount < 0) {
            throw new IllegalArgumentException("optimizer state: negative step count " + stepCount);
        }
        float[] m = new float[Math.toIntExact(size)];
        float[] v = new float[Math.toIntExact(size)];
        long[] restored = new long[counts.length];
        int i = 0;
        for (String name : params.keySet()) {
            copy(tensors, prefix + "exp_avg." + name, m, i);
            copy(tensors, prefix + "exp_avg_sq." + name, v, i);
            restored[i] = count(tensors, prefix + "step." + name, stepCount);
            i++;
        }
        System.arraycopy(restored, 0, counts, 0, counts.length);
        expAvg.close();
        expAvgSq.close();
        expAvg = manager.create(m);
        expAvgSq = manager.create(v);
        steps = stepCount;
    }

    private static long count(Map<String, SafeTensors.Tensor> tensors, String key, long stepCount) {
        SafeTensors.Tensor t = tensors.get(key);
        if (t == null) {
            return stepCount;
        }
        int c = t.dtype() == SafeTensors.DType.I32 && t.elements() == 1 ? t.toInts()[0] : -1;
        if (c < 0 || c > stepCount) {
            throw new IllegalArgumentException("optimizer state: " + key + " is not one I32 count between 0 and the group's "
                    + stepCount + " steps");
        }
        return c;
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
