package dev.tinify.runtime.compile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compiled specs against CompressAI: the state-dict keys equal the fixture's, the fixture state
 * dict loads, and an evaluation-mode forward pass on the fixture input reproduces CompressAI's
 * y, x_hat and likelihoods (abs 1e-4, the tolerance the fixture notes give for float tensors).
 */
class SpecCompilerTest {
    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"bmshj2018-factorized", "bmshj2018-factorized-relu", "bmshj2018-hyperprior", "mbt2018-mean", "mbt2018",
            "cheng2020-anchor", "cheng2020-attn", "cheng2020-anchor-checkerboard", "elic2022-official", "elic2022-chandelier"})
    void matchesCompressAiForward(String name) throws IOException {
        ReferenceCase ref = ReferenceCase.fixture(name);
        try (CompressionModel model = SpecCompiler.compile(SpecFixtures.spec(name), SpecFixtures.overrides(ref));
             NDManager m = NDManager.newBaseManager()) {
            Map<String, Tensor> state = ref.stateDict();
            assertEquals(new TreeSet<>(state.keySet()), new TreeSet<>(model.stateDict().keySet()), "state-dict keys");
            model.load(state);
            model.train(false);

            NDArray x = array(m, ref.tensor("x"));
            CompressionModel.ForwardResult out = model.forward(x);
            close(out.y(), ref.tensor("y"), "y");
            close(out.xHat(), ref.tensor("forward.x_hat"), "forward.x_hat");
            TreeSet<String> expectedLikelihoods = new TreeSet<>();
            for (String t : ref.tensorNames()) {
                if (t.startsWith("forward.likelihoods.")) {
                    expectedLikelihoods.add(t.substring("forward.likelihoods.".length()));
                }
            }
            for (String alias : ref.meta().path("tensor_aliases").properties().stream().map(Map.Entry::getKey).toList()) {
                if (alias.startsWith("forward.likelihoods.")) {
                    expectedLikelihoods.add(alias.substring("forward.likelihoods.".length()));
                }
            }
            assertEquals(expectedLikelihoods, new TreeSet<>(out.likelihoods().keySet()), "likelihood names");
            for (String k : expectedLikelihoods) {
                close(out.likelihoods().get(k), ref.tensor("forward.likelihoods." + k), "forward.likelihoods." + k);
            }
            assertEquals(name.startsWith("bmshj2018-factorized") ? 16 : 64, model.downsamplingFactor());
        }
    }

    static NDArray array(NDManager m, Tensor t) {
        return m.create(t.toFloats(), new ai.djl.ndarray.types.Shape(t.shape()));
    }

    static void close(NDArray actual, Tensor expected, String what) {
        assertArrayEquals(expected.shape(), actual.getShape().getShape(), what + " shape");
        float[] a = actual.toFloatArray();
        float[] e = expected.toFloats();
        double worst = 0;
        int at = -1;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs(a[i] - e[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        final double w = worst;
        final int idx = at;
        assertTrue(w <= TOLERANCE, () -> what + ": max |diff| " + w + " at " + idx + " (expected " + e[idx] + ", got " + a[idx] + ")");
    }
}
