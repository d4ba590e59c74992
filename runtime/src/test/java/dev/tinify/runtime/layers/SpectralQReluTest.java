package dev.tinify.runtime.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.entropy.Fixtures;
import dev.tinify.runtime.nn.Param;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SpectralConv2d, SpectralConvTranspose2d and QReLU against CompressAI's {@code unit-spectral-qrelu}:
 * the derived spatial weight, the output and the gradients of the frequency-domain weights.
 */
class SpectralQReluTest {
    private static NDManager manager;
    private static ReferenceCase c;

    @BeforeAll
    static void open() throws IOException {
        manager = NDManager.newBaseManager();
        c = ReferenceCase.fixture("unit-spectral-qrelu");
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static Map<String, Tensor> state(String layer) {
        return Map.of("bias", c.tensor(layer + ".bias"), "weight_transformed",
                Tensor.ofComplex(c.tensor(layer + ".weight_transformed.real"), c.tensor(layer + ".weight_transformed.imag")));
    }

    /** Runs {@code layer} on the fixture input, compares output and gradients of sum(out * grad_out). */
    private static void check(LayerModule layer, String name, NDArray x, NDManager m) {
        StateDicts.load(layer, state(name), name);
        assertEquals(List.of("bias", "weight_transformed"), List.copyOf(layer.stateDict().keySet()), "CompressAI's keys and order");
        NDArray gradOut = Fixtures.array(m, c.tensor(name + ".grad_out"));
        for (Param p : layer.parameters().values()) {
            p.value().setRequiresGradient(true);
        }
        NDArray out;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            out = layer.forward(x);
            gc.backward(out.mul(gradOut).sum());
        }
        Fixtures.assertClose(c.tensor(name + ".out"), out, 1e-5, name + ".out");
        Fixtures.assertClose(c.tensor(name + ".grad.bias"), layer.parameters().get("bias").value().getGradient(), 1e-4,
                name + ".grad.bias");
        NDArray g = layer.parameters().get("weight_transformed").value().getGradient();
        Tensor expected = Tensor.ofComplex(c.tensor(name + ".grad.weight_transformed.real"),
                c.tensor(name + ".grad.weight_transformed.imag"));
        Fixtures.assertClose(expected, g, 1e-4, name + ".grad.weight_transformed");
    }

    /** The two spectral layers of the case, each with the spatial weight it derives and the input it is run on. */
    static Stream<Arguments> spectralLayers() {
        Function<NDManager, LayerModule> conv = m -> new SpectralConv2d(m, 4, 6, 5, 1);
        Function<NDManager, LayerModule> deconv = m -> new SpectralConvTranspose2d(m, 6, 4, 5, 2);
        Function<LayerModule, NDArray> convWeight = l -> ((SpectralConv2d) l).weight();
        Function<LayerModule, NDArray> deconvWeight = l -> ((SpectralConvTranspose2d) l).weight();
        return Stream.of(Arguments.of("conv", conv, convWeight, "x"), Arguments.of("deconv", deconv, deconvWeight, "conv.out"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("spectralLayers")
    void spectralLayerMatchesCompressAi(String name, Function<NDManager, LayerModule> make, Function<LayerModule, NDArray> weight,
                                        String input) {
        try (NDManager m = manager.newSubManager()) {
            LayerModule layer = make.apply(m);
            StateDicts.load(layer, state(name), name);
            try (NDArray w = weight.apply(layer)) {
                Fixtures.assertClose(c.tensor(name + ".weight"), w, 1e-6, name + ".weight = irfft2(weight_transformed)");
            }
            check(layer, name, Fixtures.array(m, c.tensor(input)), m);
        }
    }

    @Test
    void initialWeightRoundTripsThroughTheFrequencyDomain() {
        try (NDManager m = manager.newSubManager()) {
            for (int k : new int[] {3, 4, 5}) {
                SpectralKernel sk = new SpectralKernel(m, k);
                NDArray w = m.randomUniform(-1f, 1f, new Shape(3, 2, k, k));
                NDArray t = sk.transform(w);
                assertArrayEquals(new long[] {3, 2, k, k / 2 + 1, 2}, t.getShape().getShape());
                Fixtures.assertClose(w.toFloatArray(), sk.inverse(t).toFloatArray(), 1e-6, "irfft2(rfft2(w)), k=" + k);
            }
        }
    }

    @Test
    void qreluClampsAndScalesTheGradientOutsideTheRange() {
        try (NDManager m = manager.newSubManager()) {
            String what = c.meta().path("what").asText();
            assertTrue(what.contains("bit_depth=8, beta=100"), what);
            QRelu q = new QRelu(8, 100);
            NDArray in = Fixtures.array(m, c.tensor("qrelu.in"));
            NDArray gradOut = Fixtures.array(m, c.tensor("qrelu.grad_out"));
            assertArrayEquals(c.tensor("qrelu.out").toFloats(), q.forward(in).toFloatArray(), "eval forward is the clamp");
            in.setRequiresGradient(true);
            NDArray out;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                out = q.forward(in);
                gc.backward(out.mul(gradOut).sum());
            }
            assertArrayEquals(c.tensor("qrelu.out").toFloats(), out.toFloatArray(), "training forward is the clamp exactly");
            Fixtures.assertClose(c.tensor("qrelu.grad_in"), in.getGradient(), 1e-4, "qrelu.grad_in");
        }
    }
}
