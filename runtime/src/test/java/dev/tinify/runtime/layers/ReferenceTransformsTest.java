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
import java.util.ArrayList;
import java.util.List;
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

    static Sequential hyperpriorGa(NDManager m, int n, int mm) {
        return new Sequential(
                new Conv2d(m, 3, n, 5, 2), new Gdn(m, n, false),
                new Conv2d(m, n, n, 5, 2), new Gdn(m, n, false),
                new Conv2d(m, n, n, 5, 2), new Gdn(m, n, false),
                new Conv2d(m, n, mm, 5, 2));
    }

    static Sequential hyperpriorGs(NDManager m, int n, int mm) {
        return new Sequential(
                new ConvTranspose2d(m, mm, n, 5, 2), new Gdn(m, n, true),
                new ConvTranspose2d(m, n, n, 5, 2), new Gdn(m, n, true),
                new ConvTranspose2d(m, n, n, 5, 2), new Gdn(m, n, true),
                new ConvTranspose2d(m, n, 3, 5, 2));
    }

    static Sequential chengGa(NDManager m, int n) {
        return new Sequential(
                new ResidualBlockWithStride(m, 3, n, 2), new ResidualBlock(m, n, n),
                new ResidualBlockWithStride(m, n, n, 2), new AttentionBlock(m, n),
                new ResidualBlock(m, n, n), new ResidualBlockWithStride(m, n, n, 2),
                new ResidualBlock(m, n, n), Conv2d.conv3x3(m, n, n, 2), new AttentionBlock(m, n));
    }

    static Sequential chengGs(NDManager m, int n) {
        return new Sequential(
                new AttentionBlock(m, n), new ResidualBlock(m, n, n), new ResidualBlockUpsample(m, n, n, 2),
                new ResidualBlock(m, n, n), new ResidualBlockUpsample(m, n, n, 2), new AttentionBlock(m, n),
                new ResidualBlock(m, n, n), new ResidualBlockUpsample(m, n, n, 2), new ResidualBlock(m, n, n),
                new SubpelConv3x3(m, n, 3, 2));
    }

    private static void bottlenecks(List<LayerModule> l, NDManager m, int n) {
        for (int i = 0; i < 3; i++) {
            l.add(new ResidualBottleneckBlock(m, n, n));
        }
    }

    static Sequential elicGa(NDManager m, int n, int mm) {
        List<LayerModule> l = new ArrayList<>();
        l.add(new Conv2d(m, 3, n, 5, 2));
        bottlenecks(l, m, n);
        l.add(new Conv2d(m, n, n, 5, 2));
        bottlenecks(l, m, n);
        l.add(new AttentionBlock(m, n));
        l.add(new Conv2d(m, n, n, 5, 2));
        bottlenecks(l, m, n);
        l.add(new Conv2d(m, n, mm, 5, 2));
        l.add(new AttentionBlock(m, mm));
        return new Sequential(l);
    }

    static Sequential elicGs(NDManager m, int n, int mm) {
        List<LayerModule> l = new ArrayList<>();
        l.add(new AttentionBlock(m, mm));
        l.add(new ConvTranspose2d(m, mm, n, 5, 2));
        bottlenecks(l, m, n);
        l.add(new ConvTranspose2d(m, n, n, 5, 2));
        l.add(new AttentionBlock(m, n));
        bottlenecks(l, m, n);
        l.add(new ConvTranspose2d(m, n, n, 5, 2));
        bottlenecks(l, m, n);
        l.add(new ConvTranspose2d(m, n, 3, 5, 2));
        return new Sequential(l);
    }

    static Stream<Arguments> transforms() {
        return Stream.of(
                Arguments.of("bmshj2018-hyperprior", "g_a", "x", "y", (BiFunction<NDManager, Integer, Sequential>) (m, n) -> hyperpriorGa(m, n, 24)),
                Arguments.of("bmshj2018-hyperprior", "g_s", "forward.g_s.in", "forward.x_hat", (BiFunction<NDManager, Integer, Sequential>) (m, n) -> hyperpriorGs(m, n, 24)),
                Arguments.of("cheng2020-attn", "g_a", "x", "y", (BiFunction<NDManager, Integer, Sequential>) ReferenceTransformsTest::chengGa),
                Arguments.of("cheng2020-attn", "g_s", "forward.g_s.in", "forward.x_hat", (BiFunction<NDManager, Integer, Sequential>) ReferenceTransformsTest::chengGs),
                Arguments.of("elic2022-official", "g_a", "x", "y", (BiFunction<NDManager, Integer, Sequential>) (m, n) -> elicGa(m, n, 32)),
                Arguments.of("elic2022-official", "g_s", "forward.g_s.in", "forward.x_hat", (BiFunction<NDManager, Integer, Sequential>) (m, n) -> elicGs(m, n, 32)));
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
