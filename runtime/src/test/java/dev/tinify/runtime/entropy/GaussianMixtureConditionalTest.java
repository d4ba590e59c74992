package dev.tinify.runtime.entropy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Gaussian mixture: likelihoods against a direct double computation, exact round trips, rate. */
class GaussianMixtureConditionalTest {
    private static NDManager manager;
    private static final int K = 3;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** Random parameters for a latent [2, 4, 5, 6]: scales, means, softmax weights. */
    private static NDArray[] params(NDManager m, Shape latent, float meanSpread) {
        Shape p = new Shape(latent.get(0), K * latent.get(1), latent.get(2), latent.get(3));
        NDArray scales = m.randomUniform(0.05f, 6f, p);
        NDArray means = m.randomNormal(0, meanSpread, p, DataType.FLOAT32);
        NDArray logits = m.randomNormal(p).reshape(latent.get(0), K, -1);
        NDArray weights = logits.exp().div(logits.exp().sum(new int[] {1}, true)).reshape(p);
        return new NDArray[] {scales, means, weights};
    }

    private static double phi(double x) {
        return GaussianMath.normalCdf(x);
    }

    @Test
    void likelihoodMatchesADirectComputation() {
        try (NDManager m = manager.newSubManager()) {
            Shape latent = new Shape(2, 4, 5, 6);
            NDArray[] p = params(m, latent, 3);
            NDArray x = m.randomNormal(0, 4, latent, DataType.FLOAT32);
            GaussianMixtureConditional gmm = new GaussianMixtureConditional(m, K);
            float[] lik = gmm.likelihood(x, p[0], p[1], p[2]).toFloatArray();
            float[] xs = x.toFloatArray();
            float[] s = p[0].toFloatArray();
            float[] mu = p[1].toFloatArray();
            float[] w = p[2].toFloatArray();
            int per = (int) (latent.size() / 2);
            for (int b = 0; b < 2; b++) {
                for (int e = 0; e < per; e++) {
                    double expected = 0;
                    for (int k = 0; k < K; k++) {
                        int at = b * K * per + k * per + e;
                        double sc = Math.max(s[at], 0.11);
                        double v = Math.abs(xs[b * per + e] - mu[at]);
                        expected += w[at] * (phi((0.5 - v) / sc) - phi((-0.5 - v) / sc));
                    }
                    assertEquals(expected, lik[b * per + e], 1e-6, "element " + b + "/" + e);
                }
            }
        }
    }

    @Test
    void oneComponentIsTheGaussianConditional() {
        try (NDManager m = manager.newSubManager()) {
            Shape shape = new Shape(1, 3, 4, 4);
            NDArray x = m.randomNormal(0, 4, shape, DataType.FLOAT32);
            NDArray s = m.randomUniform(0.05f, 6f, shape);
            NDArray mu = m.randomNormal(0, 2, shape, DataType.FLOAT32);
            GaussianMixtureConditional one = new GaussianMixtureConditional(m, 1);
            GaussianConditional gc = new GaussianConditional(m);
            float[] a = one.likelihood(x, s, mu, m.ones(shape)).toFloatArray();
            float[] b = gc.likelihood(x, s, mu).toFloatArray();
            assertArrayEquals(b, a);
        }
    }

    @Test
    void evalForwardRoundsWithoutMeans() {
        try (NDManager m = manager.newSubManager()) {
            Shape latent = new Shape(2, 4, 5, 6);
            NDArray[] p = params(m, latent, 3);
            NDArray x = m.randomNormal(0, 4, latent, DataType.FLOAT32);
            GaussianMixtureConditional gmm = new GaussianMixtureConditional(m, K);
            gmm.train(false);
            EntropyModel.Output out = gmm.forward(x, p[0], p[1], p[2]);
            assertArrayEquals(x.round().toFloatArray(), out.values().toFloatArray());
            assertArrayEquals(gmm.likelihood(out.values(), p[0], p[1], p[2]).maximum(1e-9f).toFloatArray(),
                    out.likelihoods().toFloatArray());
        }
    }

    @Test
    void roundTripIsExactAndCostsAboutTheEstimatedRate() {
        try (NDManager m = manager.newSubManager()) {
            Shape latent = new Shape(2, 8, 16, 16);
            NDArray[] p = params(m, latent, 2);
            // latents drawn near the mixture's first component, plus a few far-out values
            NDArray y = p[1].get(":, 0:8").add(m.randomNormal(0, 1.5f, latent, DataType.FLOAT32));
            y.set(new ai.djl.ndarray.index.NDIndex("0, 0, 0, 0"), 40f);
            y.set(new ai.djl.ndarray.index.NDIndex("1, 7, 15, 15"), -33.5f);
            GaussianMixtureConditional gmm = new GaussianMixtureConditional(m, K);
            gmm.train(false);
            List<byte[]> strings = gmm.compress(y, p[0], p[1], p[2]);
            assertEquals(2, strings.size());
            NDArray decoded = gmm.decompress(strings, p[0], p[1], p[2]);
            assertArrayEquals(y.round().toType(DataType.INT32, false).toIntArray(),
                    decoded.toType(DataType.INT32, false).toIntArray(), "exact round trip");
            double bits = gmm.forward(y, p[0], p[1], p[2]).likelihoods().log().sum().getFloat() / -Math.log(2);
            double actual = 8.0 * (strings.get(0).length + strings.get(1).length - 8);
            assertTrue(actual < bits * 1.05 + 128 && actual > bits * 0.95 - 128,
                    "coded " + actual + " bits, estimated " + bits);
        }
    }

    @Test
    void mismatchedParametersAreAClearError() {
        try (NDManager m = manager.newSubManager()) {
            GaussianMixtureConditional gmm = new GaussianMixtureConditional(m, K);
            NDArray x = m.zeros(new Shape(1, 4, 2, 2));
            NDArray wrong = m.ones(new Shape(1, 8, 2, 2));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> gmm.likelihood(x, wrong, wrong, wrong));
            assertTrue(e.getMessage().contains("GaussianMixtureConditional(K=3)"), e.getMessage());
            assertTrue(e.getMessage().contains("(1, 12, 2, 2)"), e.getMessage());
        }
    }
}
