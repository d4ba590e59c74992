package dev.tinify.runtime.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.nn.ForwardScope;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole analysis and synthesis transforms of CompressAI models, assembled from the layers,
 * loaded from the fixture state dicts and run on the fixture tensors: g_a(x) = y and
 * g_s(y_hat) = x_hat.
 */
class ReferenceTransformsTest {
    private static final int N = 16;

    static Stream<Arguments> transforms() {
        return Stream.of(
                Arguments.of("bmshj2018-hyperprior", "g_a", "x", "y", (BiFunction<NDManager, Integer, Sequential>) (m, n) -> ReferenceArchitectures.hyperpriorGa(m, n, 24)),
                Arguments.of("bmshj2018-hyperprior", "g_s", "forward.g_s.in", "forward.x_hat", (BiFunction<NDManager, Integer, Sequential>) (m, n) -> ReferenceArchitectures.hyperpriorGs(m, n, 24)),
                Arguments.of("cheng2020-attn", "g_a", "x", "y", (BiFunction<NDManager, Integer, Sequential>) ReferenceArchitectures::chengGa),
                Arguments.of("cheng2020-attn", "g_s", "forward.g_s.in", "forward.x_hat", (BiFunction<NDManager, Integer, Sequential>) ReferenceArchitectures::chengGs),
                Arguments.of("elic2022-official", "g_a", "x", "y", (BiFunction<NDManager, Integer, Sequential>) (m, n) -> ReferenceArchitectures.elicGa(m, n, 32)),
                Arguments.of("elic2022-official", "g_s", "forward.g_s.in", "forward.x_hat", (BiFunction<NDManager, Integer, Sequential>) (m, n) -> ReferenceArchitectures.elicGs(m, n, 32)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transforms")
    void reproducesCompressAi(String fixture, String prefix, String in, String out,
            BiFunction<NDManager, Integer, Sequential> build) throws IOException {
        ReferenceCase c = ReferenceCase.fixture(fixture);
        Map<String, Tensor> sd = StateDicts.withPrefix(c.stateDict(), prefix + ".");
        try (NDManager m = NDManager.newBaseManager()) {
            Sequential net = build.apply(m, N);
            assertEquals(TestTensors.keyShapes(c.stateDict(), prefix + "."), TestTensors.keyShapes(net));
            StateDicts.load(net, sd, fixture + " " + prefix);
            Tensor input = c.tensor(in);
            Tensor expected = c.tensor(out);
            long[] inShape = input.shape();
            assertEquals(expected.shape()[1], net.outChannels((int) inShape[1]));
            assertEquals(expected.shape()[2] * net.downsampling(), inShape[2] * net.upsampling());
            float[] actual;
            long[] shape;
            try (NDArray x = TestTensors.array(m, input);
                    ForwardScope scope = ForwardScope.open(m, net)) {
                scope.input(x);
                NDArray y = net.forward(x);
                shape = y.getShape().getShape();
                actual = y.toFloatArray();
            }
            assertArrayEquals(expected.shape(), shape);
            float[] exp = expected.toFloats();
            double err = TestTensors.maxAbsDiff(actual, exp);
            double scale = TestTensors.maxAbs(exp);
            System.out.printf("%s %s: max abs error %.3g (max |value| %.3g)%n", fixture, prefix, err, scale);
            assertTrue(err <= 1e-4 * Math.max(1, scale), fixture + " " + prefix + " error " + err);
            assertEquals(sd.size(), net.stateDict().size());
        }
    }
}
