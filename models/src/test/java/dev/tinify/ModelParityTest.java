package dev.tinify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Forward-pass parity with CompressAI for every fixture case of the architectures Tinify builds
 * from its bundled specs: same state-dict keys; {@code y}, {@code x_hat} and every likelihood
 * within the fixtures' float tolerance; compress byte-identical; decompress within tolerance.
 */
class ModelParityTest {
    /** Abs tolerance for float tensors recommended by the fixtures' README (2-thread float noise is ~1e-6). */
    private static final double TOLERANCE = 1e-4;
    private static final Set<String> ARCHITECTURES =
            Set.of("bmshj2018-factorized", "bmshj2018-factorized-relu", "bmshj2018-hyperprior", "mbt2018-mean");

    static Stream<Path> cases() throws IOException {
        Path fixtures = ReferenceCase.sharedDir().resolve("fixtures");
        List<Path> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(fixtures)) {
            for (Path d : dirs.sorted().toList()) {
                if (Files.isRegularFile(d.resolve("case.json"))
                        && ARCHITECTURES.contains(ReferenceCase.open(d).meta().path("registry_name").asText())) {
                    out.add(d);
                }
            }
        }
        assertFalse(out.isEmpty(), "no fixture case of " + ARCHITECTURES + " in " + fixtures);
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardMatchesCompressAI(Path dir) throws IOException {
        ReferenceCase ref = ReferenceCase.open(dir);
        Map<String, Number> kwargs = new LinkedHashMap<>();
        ref.constructorKwargs().fields().forEachRemaining(e -> kwargs.put(e.getKey(), e.getValue().numberValue()));
        String arch = ref.meta().path("registry_name").asText();

        try (CompressionModel model = Tinify.build(arch, kwargs)) {
            assertEquals(new TreeSet<>(ref.stateDict().keySet()), new TreeSet<>(model.stateDict().keySet()), "state_dict keys");
            model.load(ref.stateDict());
            model.train(false);
            try (NDManager m = model.manager().newSubManager()) {
                CompressionModel.ForwardResult out = model.forward(array(m, ref.tensor("x")));

                List<String> likelihoodKeys = new ArrayList<>();
                JsonNode declared = ref.meta().path("tensors");
                declared.fieldNames().forEachRemaining(n -> {
                    if (n.startsWith("forward.likelihoods.")) {
                        likelihoodKeys.add(n.substring("forward.likelihoods.".length()));
                    }
                });
                assertEquals(new TreeSet<>(likelihoodKeys), new TreeSet<>(out.likelihoods().keySet()), "likelihood keys");

                assertClose("y", ref.tensor("y"), out.y());
                assertClose("forward.x_hat", ref.tensor("forward.x_hat"), out.xHat());
                for (String k : likelihoodKeys) {
                    assertClose("forward.likelihoods." + k, ref.tensor("forward.likelihoods." + k), out.likelihoods().get(k));
                }
            }
        }
    }

    /** Compress gives CompressAI's strings byte for byte; decompressing them gives its x_hat. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void compressIsByteIdenticalAndDecompressMatches(Path dir) throws IOException {
        ReferenceCase ref = ReferenceCase.open(dir);
        Map<String, Number> kwargs = new LinkedHashMap<>();
        ref.constructorKwargs().fields().forEachRemaining(e -> kwargs.put(e.getKey(), e.getValue().numberValue()));
        try (CompressionModel model = Tinify.build(ref.meta().path("registry_name").asText(), kwargs)) {
            model.load(ref.stateDict());
            model.train(false);
            try (NDManager m = model.manager().newSubManager()) {
                CompressionModel.Compressed out = model.compress(array(m, ref.tensor("x")));
                List<List<byte[]>> expected = ref.compressStrings();
                assertEquals(expected.size(), out.strings().size(), "streams");
                for (int i = 0; i < expected.size(); i++) {
                    assertEquals(expected.get(i).size(), out.strings().get(i).size(), "batch items of stream " + i);
                    for (int b = 0; b < expected.get(i).size(); b++) {
                        assertArrayEquals(expected.get(i).get(b), out.strings().get(i).get(b), "stream " + i + " item " + b);
                    }
                }
                NDArray xHat = model.decompress(m, expected, ref.compressShape());
                assertClose("decompress.x_hat", ref.tensor("decompress.x_hat"), xHat);
            }
        }
    }

    private static NDArray array(NDManager m, SafeTensors.Tensor t) {
        return m.create(t.toFloats(), new Shape(t.shape()));
    }

    private static void assertClose(String what, SafeTensors.Tensor expected, NDArray actual) {
        assertEquals(new Shape(expected.shape()), actual.getShape(), what + " shape");
        float[] e = expected.toFloats();
        float[] a = actual.toType(DataType.FLOAT32, false).toFloatArray();
        double max = 0;
        int at = -1;
        for (int i = 0; i < e.length; i++) {
            double d = Math.abs((double) a[i] - e[i]);
            if (!(d <= max)) {
                max = d;
                at = i;
            }
        }
        final double worst = max;
        final int index = at;
        assertTrue(worst <= TOLERANCE, () -> what + ": max |err| " + worst + " at flat index " + index + " > " + TOLERANCE);
    }
}
