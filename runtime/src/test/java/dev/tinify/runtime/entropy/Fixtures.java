package dev.tinify.runtime.entropy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.coding.CdfTables;
import dev.tinify.runtime.coding.EntropyCoder;
import dev.tinify.runtime.coding.EntropyCoders;
import dev.tinify.runtime.nn.Module;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Test helpers: fixture tensors as arrays, state-dict loading by hand, a recording coder. */
public final class Fixtures {
    private Fixtures() {}

    /** A fixture tensor as an NDArray (float32 or int32). */
    public static NDArray array(NDManager manager, Tensor t) {
        return StateDicts.toArray(manager, t);
    }

    /** A GaussianConditional with the fixture state dict's entries {@code prefix + name} loaded. */
    public static GaussianConditional gaussianConditional(NDManager manager, Map<String, Tensor> stateDict, String prefix) {
        GaussianConditional gc = new GaussianConditional(manager);
        load(gc, stateDict, prefix);
        return gc;
    }

    /** An EntropyBottleneck sized by the stored {@code prefix + "quantiles"} [C, 1, 3], with the entries loaded. */
    public static EntropyBottleneck entropyBottleneck(NDManager manager, Map<String, Tensor> stateDict, String prefix) {
        Tensor quantiles = stateDict.get(prefix + "quantiles");
        if (quantiles == null) {
            throw new IllegalArgumentException("fixture state dict has no '" + prefix + "quantiles'");
        }
        EntropyBottleneck eb = new EntropyBottleneck(manager, Math.toIntExact(quantiles.shape()[0]));
        load(eb, stateDict, prefix);
        return eb;
    }

    /** Loads the entries {@code prefix + name} of a fixture state dict into {@code module} (all or nothing). */
    public static void load(Module module, Map<String, Tensor> stateDict, String prefix) {
        StateDicts.load(module, StateDicts.withPrefix(stateDict, prefix), "fixture state dict, prefix '" + prefix + "'");
    }

    /** Asserts every element of {@code actual} is within {@code tol} of the fixture tensor (same shape). */
    public static void assertClose(Tensor expected, NDArray actual, double tol, String what) {
        assertArrayEquals(expected.shape(), actual.getShape().getShape(), what + ": shape");
        float[] e = expected.toFloats();
        float[] a = actual.toFloatArray();
        double worst = 0;
        int at = -1;
        for (int i = 0; i < e.length; i++) {
            double d = Math.abs(e[i] - a[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        assertTrue(worst <= tol, what + ": max |diff| " + worst + " at " + at + " (expected " + (at < 0 ? 0 : e[at])
                + ", got " + (at < 0 ? 0 : a[at]) + "), tolerance " + tol);
    }

    /** Asserts every element of {@code actual} is within {@code tol} of {@code expected} (same length). */
    public static void assertClose(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol, what + " " + i);
        }
    }

    /** The smallest and largest value of {@code v}: {@code {min, max}}. */
    public static float[] range(float[] v) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float x : v) {
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        return new float[] {min, max};
    }

    /** Asserts the array equals the fixture tensor exactly (as ints). */
    public static void assertIntsEqual(Tensor expected, NDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.getShape().getShape(), what + ": shape");
        assertArrayEquals(expected.toInts(), EntropyModel.toInts(actual), what);
    }

    /** Asserts stored table buffers ({@code prefix_offset}, ...) equal the module's, row by row. */
    public static void assertTablesEqual(Map<String, Tensor> sd, String prefix, EntropyModel model) {
        CdfTables t = model.cdfTables();
        int[] offsets = sd.get(prefix + "_offset").toInts();
        int[] lengths = sd.get(prefix + "_cdf_length").toInts();
        Tensor cdf = sd.get(prefix + "_quantized_cdf");
        int cols = (int) cdf.shape()[1];
        int[] flat = cdf.toInts();
        assertArrayEquals(offsets, t.offsets(), prefix + "_offset");
        assertArrayEquals(lengths, t.cdfLengths(), prefix + "_cdf_length");
        assertEquals(cdf.shape()[0], t.size(), prefix + "_quantized_cdf rows");
        for (int r = 0; r < t.size(); r++) {
            assertEquals(cols, t.cdfs()[r].length, prefix + "_quantized_cdf width");
            assertArrayEquals(java.util.Arrays.copyOfRange(flat, r * cols, (r + 1) * cols), t.cdfs()[r],
                    prefix + "_quantized_cdf row " + r);
        }
    }

    /** The default coder, recording the symbol and index lists of every encode call. */
    public static final class RecordingCoder implements EntropyCoder {
        private final EntropyCoder inner = EntropyCoders.defaultCoder();
        public final List<int[]> symbols = new ArrayList<>();
        public final List<int[]> indexes = new ArrayList<>();

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public byte[] encodeWithIndexes(int[] s, int[] i, CdfTables tables) {
            symbols.add(s.clone());
            indexes.add(i.clone());
            return inner.encodeWithIndexes(s, i, tables);
        }

        @Override
        public int[] decodeWithIndexes(byte[] data, int[] i, CdfTables tables) {
            return inner.decodeWithIndexes(data, i, tables);
        }

        @Override
        public Encoder newEncoder() {
            throw new UnsupportedOperationException("one-call coding only");
        }

        @Override
        public Decoder newDecoder(byte[] data) {
            return inner.newDecoder(data);
        }
    }
}
