package dev.tinify.runtime.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.nn.Param;
import dev.tinify.runtime.ops.GradientCorrection;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** GDN, IGDN, GDN1 and IGDN1 against CompressAI's unit-gdn fixture, and their gradients. */
class GdnTest {

    private static Gdn build(NDManager m, String name, int channels) {
        boolean inverse = name.startsWith("i");
        return name.endsWith("1") ? new Gdn1(m, channels, inverse) : new Gdn(m, channels, inverse);
    }

    @ParameterizedTest
    @CsvSource({"gdn", "igdn", "gdn1", "igdn1"})
    void matchesCompressAi(String name) throws IOException {
        ReferenceCase c = ReferenceCase.fixture("unit-gdn");
        Map<String, Tensor> sd = c.stateDict();
        try (NDManager m = NDManager.newBaseManager()) {
            Gdn gdn = build(m, name, 6);
            StateDicts.load(gdn, StateDicts.withPrefix(sd, name + "."));
            NDArray x = TestTensors.array(m, c.tensor("x"));
            float[] out = gdn.forward(x).toFloatArray();
            float[] beta = gdn.effectiveBeta().toFloatArray();
            float[] gamma = gdn.effectiveGamma().toFloatArray();
            float[] expOut = c.tensor(name + ".out").toFloats();
            double errOut = TestTensors.maxAbsDiff(out, expOut);
            double errBeta = TestTensors.maxAbsDiff(beta, c.tensor(name + ".beta_effective").toFloats());
            double errGamma = TestTensors.maxAbsDiff(gamma, c.tensor(name + ".gamma_effective").toFloats());
            System.out.printf("%s: max|out err| %.3g (max|out| %.3g), beta %.3g, gamma %.3g%n",
                    name, errOut, TestTensors.maxAbs(expOut), errBeta, errGamma);
            assertTrue(errOut <= 1e-5, name + " output error " + errOut);
            assertTrue(errBeta <= 1e-7, name + " beta error " + errBeta);
            assertTrue(errGamma <= 1e-7, name + " gamma error " + errGamma);
        }
    }

    @ParameterizedTest
    @CsvSource({"gdn", "igdn", "gdn1", "igdn1"})
    void keysAreCompressAis(String name) throws IOException {
        Map<String, Tensor> sd = ReferenceCase.fixture("unit-gdn").stateDict();
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(TestTensors.keyShapes(sd, name + "."), TestTensors.keyShapes(build(m, name, 6)));
        }
    }

    /** A batch is normalized item by item: GDN of [x0; x1] equals [GDN(x0); GDN(x1)]. */
    @ParameterizedTest
    @CsvSource({"gdn", "igdn1"})
    void batchItemsAreIndependent(String name) throws IOException {
        ReferenceCase c = ReferenceCase.fixture("unit-gdn");
        try (NDManager m = NDManager.newBaseManager()) {
            Gdn gdn = build(m, name, 6);
            StateDicts.load(gdn, StateDicts.withPrefix(c.stateDict(), name + "."));
            NDArray x0 = TestTensors.array(m, c.tensor("x"));
            NDArray x1 = x0.mul(-0.5f).add(0.25f);
            float[] batched = gdn.forward(x0.concat(x1, 0)).toFloatArray();
            float[] separate = gdn.forward(x0).concat(gdn.forward(x1), 0).toFloatArray();
            assertTrue(TestTensors.maxAbsDiff(batched, separate) <= 1e-6);
        }
    }

    /** A fresh GDN has CompressAI's initial effective parameters: beta 1, gamma 0.1·I. */
    @ParameterizedTest
    @CsvSource({"gdn", "igdn"})
    void initialParametersAreCompressAis(String name) {
        try (NDManager m = NDManager.newBaseManager()) {
            Gdn gdn = build(m, name, 3);
            float[] beta = gdn.effectiveBeta().toFloatArray();
            float[] gamma = gdn.effectiveGamma().toFloatArray();
            assertArrayEquals(new float[] {1, 1, 1}, beta, 1e-6f);
            assertArrayEquals(new float[] {0.1f, 0, 0, 0, 0.1f, 0, 0, 0, 0.1f}, gamma, 1e-6f);
        }
    }

    /**
     * Autograd gradients of a float64 GDN against central finite differences, for the input and
     * both raw parameters. The fixture's perturbed parameters are used, which put some raw gamma
     * entries below the lower bound: those get zero or pass-through gradients per CompressAI's
     * rule, so only entries above the bound are compared numerically.
     */
    @ParameterizedTest
    @CsvSource({"gdn", "igdn", "gdn1", "igdn1"})
    void gradientsMatchFiniteDifferences(String name) throws IOException {
        ReferenceCase c = ReferenceCase.fixture("unit-gdn");
        try (NDManager m = NDManager.newBaseManager()) {
            Gdn gdn = build(m, name, 6);
            StateDicts.load(gdn, StateDicts.withPrefix(c.stateDict(), name + "."));
            TestTensors.toFloat64(gdn);
            NDArray x = TestTensors.array(m, c.tensor("x")).toType(DataType.FLOAT64, false);
            NDArray weights = TestTensors.uniform(m, 7, DataType.FLOAT64, x.getShape().getShape());
            x.setRequiresGradient(true);
            Param beta = gdn.stateDict().get("beta");
            Param gamma = gdn.stateDict().get("gamma");
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = gdn.forward(x).mul(weights).sum();
                gc.backward(loss);
            }
            // As a training loop does: walk the model tree (here the GDN inside a sequence).
            GradientCorrection.applyAll(new Sequential(gdn));
            double[] gx = x.getGradient().toDoubleArray();
            double[] gb = beta.value().getGradient().toDoubleArray();
            double[] gg = gamma.value().getGradient().toDoubleArray();
            x.setRequiresGradient(false);
            double h = 1e-6;
            double worst = 0;
            for (int i : new int[] {0, 17, 101, 209}) {
                worst = Math.max(worst, Math.abs(gx[i] - numeric(gdn, x, weights, x, i, h)));
            }
            for (int i = 0; i < 6; i++) {
                worst = Math.max(worst, Math.abs(gb[i] - numeric(gdn, x, weights, beta.value(), i, h)));
            }
            double gammaBound = 0x1p-18;
            double[] rawGamma = gamma.value().toDoubleArray();
            int compared = 0;
            for (int i = 0; i < 36; i++) {
                if (rawGamma[i] > gammaBound + 2 * h) {
                    worst = Math.max(worst, Math.abs(gg[i] - numeric(gdn, x, weights, gamma.value(), i, h)));
                    compared++;
                } else {
                    // Below the bound CompressAI passes only negative gradients.
                    assertTrue(gg[i] <= 0, "gamma gradient below the bound must be 0 or negative, got " + gg[i]);
                }
            }
            System.out.printf("%s: max gradient error %.3g (%d gamma entries compared)%n", name, worst, compared);
            assertTrue(compared > 6, "too few gamma entries above the bound: " + compared);
            assertTrue(worst < 1e-6, name + " gradient error " + worst);
        }
    }

    /** Central difference of sum(weights · gdn(x)) with respect to entry i of {@code target}. */
    private static double numeric(Gdn gdn, NDArray x, NDArray weights, NDArray target, int i, double h) {
        double[] v = target.toDoubleArray();
        double orig = v[i];
        v[i] = orig + h;
        target.set(v);
        double plus = gdn.forward(x).mul(weights).sum().getDouble();
        v[i] = orig - h;
        target.set(v);
        double minus = gdn.forward(x).mul(weights).sum().getDouble();
        v[i] = orig;
        target.set(v);
        return (plus - minus) / (2 * h);
    }
}
