package dev.tinify.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.dsl.SpecReader;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.SafeTensors.DType;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.checkpoint.StateDicts.Precision;
import dev.tinify.runtime.compile.SpecCompiler;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.nn.Param;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The weights fingerprint ({@link StateDicts#fingerprint}, cached by
 * {@link CompressionModel#weightsFingerprint()}): a property of the loaded values, the same for one
 * file however often it is loaded, different for any changed bit, name or shape.
 */
class WeightsFingerprintTest {
    @TempDir
    Path dir;

    /** A small hyperprior with its own initialization (seeded) and CDF tables. */
    private static CompressionModel hyperprior(int seed) {
        Engine.getInstance().setRandomSeed(seed);
        CompressionModel model = SpecCompiler.compile(SpecReader.read(Path.of("..", "specs", "bmshj2018-hyperprior.yaml")),
                Map.of("N", 8, "M", 12));
        model.update(true);
        return model;
    }

    /** Loads {@code file} into a fresh model initialized from {@code seed}, as a decoder would, and returns its fingerprint. */
    private static String loadedFingerprint(Path file, int seed) throws Exception {
        try (CompressionModel model = hyperprior(seed)) {
            String before = model.weightsFingerprint();
            model.load(SafeTensors.read(file));
            String after = model.weightsFingerprint();
            assertNotEquals(before, after, "the load replaced the model's own initialization");
            assertEquals(StateDicts.fingerprint(model), after, "cached value is the current one");
            return after;
        }
    }

    private Path save(Map<String, Tensor> tensors, String name) throws Exception {
        Path f = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(f)) {
            SafeTensors.write(tensors, out);
        }
        return f;
    }

    /** The state dict of {@code tensors} with one float of {@code key} changed by {@code change}. */
    private static Map<String, Tensor> withFloats(Map<String, Tensor> tensors, String key, Consumer<float[]> change) {
        Tensor t = tensors.get(key);
        float[] v = t.toFloats();
        change.accept(v);
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        Map<String, Tensor> out = new LinkedHashMap<>(tensors);
        out.put(key, new Tensor(DType.F32, t.shape(), b));
        return out;
    }

    @Test
    void oneFileLoadedTwiceGivesOneFingerprint() throws Exception {
        Path file = dir.resolve("w.safetensors");
        String original;
        try (CompressionModel model = hyperprior(7)) {
            StateDicts.save(model, file, Precision.FULL);
            original = model.weightsFingerprint();
        }
        assertTrue(original.matches("[0-9a-f]{" + 2 * StateDicts.FINGERPRINT_BYTES + "}"), original);
        // Two decoders with different initializations end with the same weights, hence the same fingerprint.
        assertEquals(original, loadedFingerprint(file, 11));
        assertEquals(original, loadedFingerprint(file, 12));
    }

    @Test
    void oneUlpInOneParameterOrOneCdfEntryChangesIt() throws Exception {
        Map<String, Tensor> tensors;
        String original;
        try (CompressionModel model = hyperprior(7)) {
            tensors = StateDicts.save(model, Precision.FULL);
            original = model.weightsFingerprint();
        }
        String key = "g_s.0.weight";
        Map<String, Tensor> ulp = withFloats(tensors, key, v -> v[5] = Math.nextUp(v[5]));
        assertNotEquals(tensors.get(key).toFloats()[5], ulp.get(key).toFloats()[5]);
        String perturbed = loadedFingerprint(save(ulp, "ulp.safetensors"), 11);
        assertNotEquals(original, perturbed);

        // An integer buffer the decoder reads symbols with: one CDF entry off by one.
        String cdfKey = "entropy_bottleneck._quantized_cdf";
        Tensor cdf = tensors.get(cdfKey);
        int[] c = cdf.toInts();
        c[c.length - 1] += 1;
        ByteBuffer b = ByteBuffer.allocate(4 * c.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(c);
        Map<String, Tensor> cdfChanged = new LinkedHashMap<>(tensors);
        cdfChanged.put(cdfKey, new Tensor(DType.I32, cdf.shape(), b));
        String otherCdf = loadedFingerprint(save(cdfChanged, "cdf.safetensors"), 11);
        assertNotEquals(original, otherCdf);
        assertNotEquals(perturbed, otherCdf);
        assertEquals(original, loadedFingerprint(save(tensors, "same.safetensors"), 11));
    }

    @Test
    void halfPrecisionFileLoadedTwiceGivesOneFingerprintOfItsFloat32Values() throws Exception {
        Path half = dir.resolve("half.safetensors");
        String full;
        try (CompressionModel model = hyperprior(7)) {
            StateDicts.save(model, half, Precision.HALF_PARAMETERS);
            full = model.weightsFingerprint();
        }
        assertEquals(DType.F16, SafeTensors.read(half).get("g_s.0.weight").dtype());
        String a = loadedFingerprint(half, 11);
        assertEquals(a, loadedFingerprint(half, 12));
        // The random float32 initialization is not exact in fp16: the loaded (rounded) weights are other weights.
        assertNotEquals(full, a);
    }

    @Test
    void updateRecomputesAfterAnInPlaceChange() {
        try (CompressionModel model = hyperprior(7)) {
            String before = model.weightsFingerprint();
            Param p = model.stateDict().get("h_s.0.bias");
            p.set(p.value().add(1f));
            assertEquals(before, model.weightsFingerprint(), "kept until the next load or update, as documented");
            model.update(false);
            String after = model.weightsFingerprint();
            assertNotEquals(before, after);
            assertEquals(StateDicts.fingerprint(model), after);
        }
    }

    /** One float32 tensor under {@code name} with {@code shape}, values 0, 1, 2, ... */
    private static final class One extends Module {
        One(NDManager m, String name, Shape shape) {
            buffer(name, m.arange(0f, (float) shape.size()).reshape(shape));
        }
    }

    @Test
    void namesShapesAndValuesAllCount() {
        try (NDManager m = NDManager.newBaseManager()) {
            String base = StateDicts.fingerprint(new One(m, "w", new Shape(2, 3)));
            assertEquals(base, StateDicts.fingerprint(new One(m, "w", new Shape(2, 3))), "same name, shape and values");
            assertNotEquals(base, StateDicts.fingerprint(new One(m, "v", new Shape(2, 3))), "other name, same bytes");
            assertNotEquals(base, StateDicts.fingerprint(new One(m, "w", new Shape(3, 2))), "other shape, same bytes");
            assertNotEquals(base, StateDicts.fingerprint(new One(m, "w", new Shape(6))), "other rank, same bytes");
            // The same bytes as int32: the float bit patterns 0f, 1f, ... 5f.
            One ints = new One(m, "w", new Shape(2, 3));
            Param p = ints.stateDict().get("w");
            int[] bits = new int[6];
            for (int i = 0; i < bits.length; i++) {
                bits[i] = Float.floatToRawIntBits(i);
            }
            p.set(m.create(bits, new Shape(2, 3)));
            assertNotEquals(base, StateDicts.fingerprint(ints), "other dtype, same bytes");
        }
    }
}
