package dev.tinify.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.checkpoint.SafeTensors.DType;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.checkpoint.StateDicts.Precision;
import dev.tinify.runtime.layers.Conv2d;
import dev.tinify.runtime.layers.ReferenceArchitectures;
import dev.tinify.runtime.layers.Sequential;
import dev.tinify.runtime.layers.TestTensors;
import dev.tinify.runtime.nn.ForwardScope;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading and saving state dicts: fixture weights, all-or-nothing errors, dtypes, resized tables, round trips. */
class StateDictsTest {

    private static Map<String, Tensor> hyperpriorGa() throws IOException {
        return StateDicts.withPrefix(ReferenceCase.fixture("bmshj2018-hyperprior").stateDict(), "g_a.");
    }

    @Test
    void loadedGaReproducesFixtureLatent() throws IOException {
        ReferenceCase c = ReferenceCase.fixture("bmshj2018-hyperprior");
        try (NDManager m = NDManager.newBaseManager()) {
            Sequential ga = ReferenceArchitectures.hyperpriorGa(m, 16, 24);
            StateDicts.load(ga, hyperpriorGa());
            float[] y;
            try (NDArray x = StateDicts.toArray(m, c.tensor("x"));
                    ForwardScope s = ForwardScope.open(m, ga)) {
                s.input(x);
                y = ga.forward(x).toFloatArray();
            }
            double err = TestTensors.maxAbsDiff(y, c.tensor("y").toFloats());
            System.out.printf("hyperprior g_a after load: max abs error %.3g%n", err);
            assertTrue(err <= 1e-4, "error " + err);
        }
    }

    /** One exception names every missing, unexpected and mis-shaped key, and nothing is loaded. */
    @Test
    void refusesPartialLoadListingEveryProblem() throws IOException {
        Map<String, Tensor> sd = new LinkedHashMap<>(hyperpriorGa());
        sd.remove("1.beta");
        sd.remove("4.bias");
        sd.put("7.weight", sd.get("6.weight"));
        sd.put("3.gamma", Tensor.ofInts(new int[256], 16, 16));
        try (NDManager m = NDManager.newBaseManager()) {
            // M = 32 instead of 24: the last convolution's weight and bias do not fit.
            Sequential ga = ReferenceArchitectures.hyperpriorGa(m, 16, 32);
            float[] before = ga.stateDict().get("0.weight").value().toFloatArray();
            CheckpointException e = assertThrows(CheckpointException.class, () -> StateDicts.load(ga, sd, "g_a"));
            assertEquals(2, e.missing().size());
            assertEquals("1.beta F32[16]", e.missing().get(0));
            assertTrue(e.missing().get(1).startsWith("4.bias"), e.missing().toString());
            assertEquals(1, e.unexpected().size());
            assertTrue(e.unexpected().get(0).startsWith("7.weight F32[24, 16, 5, 5]"), e.unexpected().toString());
            assertEquals(3, e.mismatched().size());
            assertEquals("3.gamma: expected F32[16, 16], found I32[16, 16]", e.mismatched().get(0));
            assertEquals("6.weight: expected F32[32, 16, 5, 5], found F32[24, 16, 5, 5]", e.mismatched().get(1));
            assertEquals("6.bias: expected F32[32], found F32[24]", e.mismatched().get(2));
            assertTrue(e.getMessage().startsWith("cannot load g_a: 2 missing: 1.beta F32[16], 4.bias"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
            assertEquals("3 mismatched, 2 missing, 1 unexpected keys (first: 3.gamma: expected F32[16, 16], found I32[16, 16])",
                    e.summary());
            assertArrayEquals(before, ga.stateDict().get("0.weight").value().toFloatArray(), "nothing may be loaded");
        }
    }

    /** A module with CompressAI's entropy tables: int32 buffers whose sizes come from the checkpoint. */
    static final class Tables extends Module {
        Tables(NDManager m) {
            buffer("_quantized_cdf", m.zeros(new Shape(1, 1), DataType.INT32));
            buffer("_offset", m.zeros(new Shape(1), DataType.INT32));
            buffer("_cdf_length", m.zeros(new Shape(1), DataType.INT32));
            buffer("scale_table", m.zeros(new Shape(0)));
            buffer("scale_bound", m.zeros(new Shape(1)));
        }
    }

    @Test
    void entropyTablesAreResizedAndStayInt32() {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("_quantized_cdf", Tensor.ofInts(new int[] {0, 10, 65536, 0, 20, 65536}, 2, 3));
        sd.put("_offset", Tensor.ofInts(new int[] {-1, -2}, 2));
        sd.put("_cdf_length", Tensor.ofInts(new int[] {3, 3}, 2));
        sd.put("scale_table", Tensor.ofFloats(new float[] {0.11f, 0.5f, 256f}, 3));
        sd.put("scale_bound", Tensor.ofFloats(new float[] {0.11f}, 1));
        try (NDManager m = NDManager.newBaseManager()) {
            Tables t = new Tables(m);
            StateDicts.load(t, sd);
            NDArray cdf = t.stateDict().get("_quantized_cdf").value();
            assertEquals(DataType.INT32, cdf.getDataType());
            assertEquals(new Shape(2, 3), cdf.getShape());
            assertArrayEquals(new int[] {0, 10, 65536, 0, 20, 65536}, cdf.toIntArray());
            assertArrayEquals(new int[] {-1, -2}, t.stateDict().get("_offset").value().toIntArray());
            assertArrayEquals(new float[] {0.11f, 0.5f, 256f}, t.stateDict().get("scale_table").value().toFloatArray());
            // Only the listed tables follow the checkpoint's shape.
            sd.put("scale_bound", Tensor.ofFloats(new float[] {0.11f, 0.2f}, 2));
            CheckpointException e = assertThrows(CheckpointException.class, () -> StateDicts.load(t, sd));
            assertEquals(1, e.mismatched().size());
        }
    }

    /** One module registered under two names, as CompressAI's checkerboard models share their context model. */
    static final class Aliased extends Module {
        final Conv2d shared;

        Aliased(NDManager m) {
            shared = child("context_prediction", Conv2d.conv1x1(m, 2, 3));
            child("alias", shared);
        }
    }

    @Test
    void sharedModulesLoadUnderEveryName() {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        float[] w = {1, 2, 3, 4, 5, 6};
        for (String prefix : new String[] {"context_prediction.", "alias."}) {
            sd.put(prefix + "weight", Tensor.ofFloats(w, 3, 2, 1, 1));
            sd.put(prefix + "bias", Tensor.ofFloats(new float[] {7, 8, 9}, 3));
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Aliased a = new Aliased(m);
            StateDicts.load(a, sd);
            assertArrayEquals(w, a.shared.weight().toFloatArray());
            assertEquals(sd.keySet(), StateDicts.save(a, Precision.FULL).keySet());
        }
    }

    @Test
    void complex64IsReadAsFloatPairs() throws IOException {
        // CompressAI's weight_transformed as PyTorch would write it: complex64 [1, 1, 3, 2]
        String header = "{\"w\":{\"dtype\":\"C64\",\"shape\":[1,1,3,2],\"data_offsets\":[0,48]}}";
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + header.length() + 48).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length()).put(header.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        float[] interleaved = {1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6};
        for (float f : interleaved) {
            b.putFloat(f);
        }
        Tensor t = SafeTensors.parse(b.array(), "complex.safetensors").get("w");
        assertEquals(DType.F32, t.dtype());
        assertArrayEquals(new long[] {1, 1, 3, 2, 2}, t.shape());
        assertArrayEquals(interleaved, t.toFloats());
        Tensor parts = Tensor.ofComplex(Tensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 1, 1, 3, 2),
                Tensor.ofFloats(new float[] {-1, -2, -3, -4, -5, -6}, 1, 1, 3, 2));
        assertArrayEquals(t.shape(), parts.shape());
        assertArrayEquals(interleaved, parts.toFloats());
    }

    @Test
    void fullPrecisionRoundTripIsExact(@TempDir Path dir) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Sequential a = ReferenceArchitectures.hyperpriorGa(m, 16, 24);
            StateDicts.load(a, hyperpriorGa());
            Path file = dir.resolve("ga.safetensors");
            StateDicts.save(a, file, Precision.FULL);
            Sequential b = ReferenceArchitectures.hyperpriorGa(m, 16, 24);
            StateDicts.load(b, file);
            Map<String, Tensor> original = hyperpriorGa();
            Map<String, Tensor> saved = SafeTensors.read(file);
            assertEquals(original.keySet().stream().toList(), saved.keySet().stream().toList());
            b.stateDict().forEach((k, p) -> assertArrayEquals(original.get(k).toFloats(), p.value().toFloatArray(), k));
        }
    }

    /** Half precision stores trainable weights as F16 (error at most 2^-11 relative, or 2^-25 absolute below 2^-14) and keeps buffers exact. */
    @Test
    void halfPrecisionKeepsBuffersExact() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Sequential a = ReferenceArchitectures.hyperpriorGa(m, 16, 24);
            StateDicts.load(a, hyperpriorGa());
            Map<String, Tensor> half = StateDicts.save(a, Precision.HALF_PARAMETERS);
            assertEquals(DType.F16, half.get("0.weight").dtype());
            assertEquals(DType.F32, half.get("1.beta_reparam.pedestal").dtype());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            SafeTensors.write(half, bytes);
            Map<String, Tensor> back = SafeTensors.parse(bytes.toByteArray(), "half");
            Sequential b = ReferenceArchitectures.hyperpriorGa(m, 16, 24);
            StateDicts.load(b, back);
            Map<String, Tensor> original = hyperpriorGa();
            double worst = 0;
            for (var e : b.stateDict().entrySet()) {
                float[] exp = original.get(e.getKey()).toFloats();
                float[] got = e.getValue().value().toFloatArray();
                for (int i = 0; i < exp.length; i++) {
                    double rel = Math.abs(got[i] - exp[i]) / Math.max(Math.abs(exp[i]), 0x1p-14);
                    worst = Math.max(worst, rel);
                }
                if (!e.getValue().trainable()) {
                    assertArrayEquals(exp, got, e.getKey());
                }
            }
            System.out.printf("fp16 round trip: max relative error %.3g%n", worst);
            assertTrue(worst <= 0x1p-11, "relative error " + worst);
            assertEquals(DataType.FLOAT32, b.stateDict().get("0.weight").value().getDataType());
        }
    }

    @Test
    void toTensorAndBackPreservesIntegers() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new int[] {1, -2, 65536}, new Shape(3));
            Tensor t = StateDicts.toTensor(a, true);
            assertEquals(DType.I32, t.dtype());
            assertArrayEquals(new int[] {1, -2, 65536}, t.toInts());
            NDArray back = StateDicts.toArray(m, t);
            assertEquals(DataType.INT32, back.getDataType());
            assertArrayEquals(new int[] {1, -2, 65536}, back.toIntArray());
        }
    }
}
