package dev.tinify.runtime.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.tinify.runtime.nn.Param;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Backward passes through the composite blocks (which update residual sums in place only when
 * autograd is off): float64 autograd gradients of sum(r · block(x)) for the input and for every
 * parameter's first entries, against central finite differences.
 */
class BlockGradientTest {

    static Stream<Arguments> blocks() {
        return Stream.of(
                Arguments.of("ResidualBlock", (Function<NDManager, LayerModule>) m -> new ResidualBlock(m, 4, 6), 4),
                Arguments.of("ResidualBlockWithStride", (Function<NDManager, LayerModule>) m -> new ResidualBlockWithStride(m, 4, 6, 2), 4),
                Arguments.of("ResidualBlockUpsample", (Function<NDManager, LayerModule>) m -> new ResidualBlockUpsample(m, 4, 3, 2), 4),
                Arguments.of("ResidualBottleneckBlock", (Function<NDManager, LayerModule>) m -> new ResidualBottleneckBlock(m, 4, 4), 4),
                Arguments.of("AttentionBlock", (Function<NDManager, LayerModule>) m -> new AttentionBlock(m, 4), 4),
                Arguments.of("MaskedConv2d", (Function<NDManager, LayerModule>) m -> new MaskedConv2d(m, 4, 2, 5, MaskedConv2d.MaskType.A), 4));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("blocks")
    void gradientsMatchFiniteDifferences(String name, Function<NDManager, LayerModule> build, int channels) {
        Engine.getInstance().setRandomSeed(21);
        try (NDManager m = NDManager.newBaseManager()) {
            LayerModule block = build.apply(m);
            TestTensors.toFloat64(block);
            NDArray x = TestTensors.uniform(m, 8, DataType.FLOAT64, 1, channels, 4, 4);
            NDArray out;
            try (NDArray probe = block.forward(x)) {
                out = TestTensors.uniform(m, 9, DataType.FLOAT64, probe.getShape().getShape());
            }
            NDArray r = out;
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(block.forward(x).mul(r).sum());
            }
            double[] gx = x.getGradient().toDoubleArray();
            x.setRequiresGradient(false);
            double worst = 0;
            for (int i : new int[] {0, 9, 37, 63}) {
                worst = Math.max(worst, Math.abs(gx[i] - numeric(block, x, r, x, i)));
            }
            for (Map.Entry<String, Param> e : block.parameters().entrySet()) {
                NDArray p = e.getValue().value();
                double[] g = p.getGradient().toDoubleArray();
                double[] v = p.toDoubleArray();
                for (int i = 0; i < Math.min(3, g.length); i++) {
                    if (e.getKey().endsWith("gamma") && v[i] < 0x1p-18 + 1e-5) {
                        continue; // at the lower bound the gradient follows CompressAI's one-sided rule
                    }
                    worst = Math.max(worst, Math.abs(g[i] - numeric(block, x, r, p, i)));
                }
            }
            System.out.printf("%s: max gradient error %.3g%n", name, worst);
            assertTrue(worst < 1e-6, name + " gradient error " + worst);
        }
    }

    private static double numeric(LayerModule block, NDArray x, NDArray r, NDArray target, int i) {
        double h = 1e-6;
        double[] v = target.toDoubleArray();
        double orig = v[i];
        v[i] = orig + h;
        target.set(v);
        double plus = block.forward(x).mul(r).sum().getDouble();
        v[i] = orig - h;
        target.set(v);
        double minus = block.forward(x).mul(r).sum().getDouble();
        v[i] = orig;
        target.set(v);
        return (plus - minus) / (2 * h);
    }
}
