package dev.tinify.runtime.entropy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Gaussian mixture: CompressAI's fixture (likelihoods, abs_max, zero bitmap, per-element CDFs,
 * string, decompress), likelihoods against a direct double computation, exact round trips, rate.
 */
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
            Shape latent = new Shape(2, 4, 8, 8);
            NDArray[] p = params(m, latent, 2);
            // latents drawn near the mixture's first component, plus a few far-out values
            NDArray y = p[1].get(":, 0:4").add(m.randomNormal(0, 1.5f, latent, DataType.FLOAT32));
            y.set(new ai.djl.ndarray.index.NDIndex("0, 0, 0, 0"), 40f);
            y.set(new ai.djl.ndarray.index.NDIndex("1, 3, 7, 7"), -33.5f);
            GaussianMixtureConditional gmm = new GaussianMixtureConditional(m, K);
            gmm.train(false);
            List<GaussianMixtureConditional.Compressed> strings = gmm.compress(y, p[0], p[1], p[2]);
            assertEquals(2, strings.size());
            List<GaussianMixtureConditional.Compressed> unpacked = strings.stream()
                    .map(c -> GaussianMixtureConditional.Compressed.unpack(c.pack(), 4)).toList();
            NDArray decoded = gmm.decompress(unpacked, p[0], p[1], p[2]);
            assertArrayEquals(y.round().toType(DataType.INT32, false).toIntArray(),
                    decoded.toType(DataType.INT32, false).toIntArray(), "exact round trip through pack/unpack");
            assertEquals(41, strings.get(0).absMax(), "abs_max of item 0 (40 is its largest value)");
            assertEquals(34, strings.get(1).absMax(), "abs_max of item 1 (-33.5 truncates to 33)");
            double bits = gmm.forward(y, p[0], p[1], p[2]).likelihoods().log().sum().getFloat() / -Math.log(2);
            double actual = 8.0 * (strings.get(0).string().length + strings.get(1).string().length);
            assertTrue(actual < bits * 1.05 + 128 && actual > bits * 0.95 - 128,
                    "coded " + actual + " bits, estimated " + bits);
        }
    }

    @Test
    void matchesCompressAiFixture() throws IOException {
        ReferenceCase c = ReferenceCase.fixture("unit-gaussian-mixture-conditional");
        try (NDManager m = manager.newSubManager()) {
            GaussianMixtureConditional gmm = new GaussianMixtureConditional(m, c.meta().path("K").asInt());
            gmm.train(false);
            NDArray x = Fixtures.array(m, c.tensor("x"));
            NDArray scales = Fixtures.array(m, c.tensor("scales"));
            NDArray means = Fixtures.array(m, c.tensor("means"));
            NDArray weights = Fixtures.array(m, c.tensor("weights"));
            EntropyModel.Output out = gmm.forward(x, scales, means, weights);
            Fixtures.assertClose(c.tensor("forward.y_hat"), out.values(), 1e-5, "forward.y_hat");
            Fixtures.assertClose(c.tensor("forward.likelihoods"), out.likelihoods(), 1e-5, "forward.likelihoods");

            GaussianMixtureConditional.Compressed ours = gmm.compress(x, scales, means, weights).get(0);
            byte[] string = Base64.getDecoder().decode(c.meta().path("compress").path("strings").get(0).asText());
            int absMax = c.meta().path("compress").path("abs_max").asInt();
            int[] bitmap = c.tensor("compress.zero_bitmap").toInts();
            assertEquals(absMax, ours.absMax(), "abs_max");
            assertArrayEquals(bitmap, ours.zeroBitmap(), "zero bitmap");
            int[] expectedCdf = c.tensor("compress.cdf").toInts();
            int[][] cdfs = gmm.cdfs(scales, means, weights, 0, absMax, bitmap);
            int width = (int) c.tensor("compress.cdf").shape()[1];
            assertEquals(expectedCdf.length / width, cdfs.length, "CDF rows");
            for (int r = 0; r < cdfs.length; r++) {
                assertArrayEquals(Arrays.copyOfRange(expectedCdf, r * width, (r + 1) * width), cdfs[r], "CDF row " + r);
            }
            assertArrayEquals(string, ours.string(), "compress string");
            NDArray decoded = gmm.decompress(List.of(new GaussianMixtureConditional.Compressed(string, absMax, bitmap)),
                    scales, means, weights);
            Fixtures.assertClose(c.tensor("decompress.y_hat"), decoded, 0, "decompress.y_hat");
            Fixtures.assertClose(c.tensor("compress.y_quantized"), decoded, 0, "decompress equals compress.y_quantized");
        }
    }

    @Test
    void damagedPackedStringsAreRejected() {
        GaussianMixtureConditional.Compressed c = new GaussianMixtureConditional.Compressed(new byte[] {1, 2}, 3, new int[] {1, 0, 1});
        byte[] packed = c.pack();
        assertEquals(3, GaussianMixtureConditional.Compressed.unpack(packed, 3).absMax());
        assertArrayEquals(new int[] {1, 0, 1}, GaussianMixtureConditional.Compressed.unpack(packed, 3).zeroBitmap());
        assertThrows(IllegalArgumentException.class, () -> GaussianMixtureConditional.Compressed.unpack(new byte[] {0, 3}, 3));
        byte[] zeroAbs = packed.clone();
        zeroAbs[1] = 0;
        assertThrows(IllegalArgumentException.class, () -> GaussianMixtureConditional.Compressed.unpack(zeroAbs, 3));
        byte[] padding = packed.clone();
        padding[2] |= 1;
        assertThrows(IllegalArgumentException.class, () -> GaussianMixtureConditional.Compressed.unpack(padding, 3));
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
