package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.nn.Param;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Helpers shared by the layer, op and checkpoint tests. */
public final class TestTensors {
    private TestTensors() {}

    /** Largest |a - b| over two equally long arrays. */
    public static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }

    /** Largest |a| of an array. */
    public static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /** A fixture tensor as a float32 array in {@code manager}. */
    public static NDArray array(NDManager manager, Tensor t) {
        return StateDicts.toArray(manager, t);
    }

    /** Uniform values in [-1, 1) from a seeded Java generator, as float64 or float32. */
    public static NDArray uniform(NDManager manager, long seed, DataType type, long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = Math.toIntExact(new Shape(shape).size());
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 2 * r.nextDouble() - 1;
        }
        NDArray d = manager.create(v, new Shape(shape));
        if (type == DataType.FLOAT64) {
            return d;
        }
        try (d) {
            return d.toType(type, false);
        }
    }

    /** Converts every float parameter and buffer of {@code module} to float64 (for finite differences). */
    public static void toFloat64(Module module) {
        for (Param p : module.stateDict().values()) {
            if (p.value().getDataType() == DataType.FLOAT32) {
                p.set(p.value().toType(DataType.FLOAT64, false));
            }
        }
    }

    /** Keys with shapes of a module's state dict, in order. */
    public static Map<String, String> keyShapes(Module module) {
        Map<String, String> out = new LinkedHashMap<>();
        module.stateDict().forEach((k, p) -> out.put(k, Arrays.toString(p.value().getShape().getShape())));
        return out;
    }

    /** Keys with shapes of the fixture entries under {@code prefix} (prefix removed), in order. */
    public static Map<String, String> keyShapes(Map<String, Tensor> stateDict, String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        StateDicts.withPrefix(stateDict, prefix).forEach((k, t) -> out.put(k, Arrays.toString(t.shape())));
        return out;
    }
}
