package dev.tinify.runtime.codecs.context;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.codecs.GaussianConditionalLatentCodec;
import dev.tinify.runtime.codecs.GaussianConditionalLatentCodec.Chunks;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.codecs.Parts;
import dev.tinify.runtime.codecs.Quantizer;
import dev.tinify.runtime.codecs.context.CheckerboardLatentCodec.AnchorParity;
import dev.tinify.runtime.codecs.context.CheckerboardLatentCodec.ForwardMethod;
import dev.tinify.runtime.entropy.Fixtures;
import dev.tinify.runtime.entropy.GaussianConditional;
import dev.tinify.runtime.layers.Activation;
import dev.tinify.runtime.layers.CheckerboardMaskedConv2d;
import dev.tinify.runtime.layers.Conv2d;
import dev.tinify.runtime.layers.MaskedConv2d;
import dev.tinify.runtime.layers.Sequential;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The checkerboard codec: embed/unembed layout, and Cheng2020AnchorCheckerboard's
 * {@code latent_codec.y} assembled from real layers, loaded from the fixture and run on the stored
 * latent and hyper params.
 */
class CheckerboardLatentCodecTest {
    private static final String CASE = "cheng2020-anchor-checkerboard";

    /** Cheng2020AnchorCheckerboard's latent_codec.y with N = 16. */
    static CheckerboardLatentCodec chengCheckerboard(NDManager m, Map<String, Tensor> sd, ForwardMethod method) {
        int n = 16;
        GaussianConditional gc = new GaussianConditional(m);
        GaussianConditionalLatentCodec child = new GaussianConditionalLatentCodec(gc, null, Quantizer.STE,
                Chunks.SCALES_MEANS, Parts.CHILDREN);
        Sequential ep = new Sequential(
                Conv2d.conv1x1(m, n * 12 / 3, n * 10 / 3), Activation.leakyRelu(),
                Conv2d.conv1x1(m, n * 10 / 3, n * 8 / 3), Activation.leakyRelu(),
                Conv2d.conv1x1(m, n * 8 / 3, n * 6 / 3));
        CheckerboardMaskedConv2d cp = new CheckerboardMaskedConv2d(m, n, 2 * n, 5, MaskedConv2d.MaskType.A);
        CheckerboardLatentCodec codec = new CheckerboardLatentCodec(child, ep, cp, Chunks.SCALES_MEANS,
                AnchorParity.EVEN, method, Parts.CHILDREN);
        StateDicts.load(codec, StateDicts.withPrefix(sd, "latent_codec.y."));
        return codec;
    }

    @ParameterizedTest
    @EnumSource(AnchorParity.class)
    void unembedKeepsEachRowsOwnColumnsAndEmbedInvertsIt(AnchorParity parity) {
        int h = 5;
        int w = 6;
        float[] v = new float[2 * h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(v, new Shape(1, 2, h, w));
            NDList halves = CheckerboardLatentCodec.unembed(x, parity);
            float[] a = halves.get(0).toFloatArray();
            float[] n = halves.get(1).toFloatArray();
            assertEquals(new Shape(1, 2, h, w / 2), halves.get(0).getShape());
            int anchorParity = parity == AnchorParity.EVEN ? 0 : 1;
            for (int c = 0; c < 2; c++) {
                for (int r = 0; r < h; r++) {
                    int ja = 0;
                    int jn = 0;
                    for (int col = 0; col < w; col++) {
                        float expected = v[(c * h + r) * w + col];
                        if ((r + col) % 2 == anchorParity) {
                            assertEquals(expected, a[(c * h + r) * (w / 2) + ja++], "anchor " + c + "," + r + "," + col);
                        } else {
                            assertEquals(expected, n[(c * h + r) * (w / 2) + jn++], "non-anchor " + c + "," + r + "," + col);
                        }
                    }
                }
            }
            assertArrayEquals(v, CheckerboardLatentCodec.embed(halves.get(0), halves.get(1), parity).toFloatArray());
        }
    }

    @Test
    void oddWidthIsRejectedWithTheShape() {
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CheckerboardLatentCodec.unembed(m.zeros(new Shape(1, 2, 4, 5)), AnchorParity.EVEN));
            assertTrue(e.getMessage().contains("(1, 2, 4, 5)"), e.getMessage());
        }
    }

    @Test
    void compressIsByteIdenticalAndDecompressReproducesIt() throws IOException {
        ReferenceCase ref = ReferenceCase.fixture(CASE);
        try (NDManager m = NDManager.newBaseManager()) {
            CheckerboardLatentCodec codec = chengCheckerboard(m, ref.stateDict(), ForwardMethod.TWOPASS);
            GaussianConditional gc = ((GaussianConditionalLatentCodec) codec.y()).gaussianConditional();
            Fixtures.RecordingCoder coder = new Fixtures.RecordingCoder();
            gc.setEntropyCoder(coder);
            NDArray y = Fixtures.array(m, ref.tensor("y"));
            NDArray params = Fixtures.array(m, ref.tensor("forward.h_s.out"));

            LatentCodec.CompressOut out = codec.compress(y, params);
            assertEquals(2, coder.symbols.size());
            for (int i = 0; i < 2; i++) {
                assertArrayEquals(ref.tensor("compress.coder." + (i + 1) + ".symbols").toInts(), coder.symbols.get(i), "symbols " + i);
                assertArrayEquals(ref.tensor("compress.coder." + (i + 1) + ".indexes").toInts(), coder.indexes.get(i), "indexes " + i);
                assertArrayEquals(ref.compressStrings().get(i).get(0), out.strings().get(i).get(0), "stream " + i);
            }
            assertEquals(List.of(16, 4, 8), out.shape());
            Fixtures.assertClose(ref.tensor("compress.y_hat"), out.yHat(), 1e-5, "compress y_hat");

            NDArray decoded = codec.decompress(m, ref.compressStrings().subList(0, 2), List.of(16, 4, 8), params);
            assertArrayEquals(out.yHat().toFloatArray(), decoded.toFloatArray(), "decompress reproduces compress exactly");
        }
    }

    @Test
    void twopassForwardsAgreeWithEachOtherAndWithCompressAi() throws IOException {
        ReferenceCase ref = ReferenceCase.fixture(CASE);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray y = Fixtures.array(m, ref.tensor("y"));
            NDArray params = Fixtures.array(m, ref.tensor("forward.h_s.out"));
            LatentCodec.ForwardOut two = chengCheckerboard(m, ref.stateDict(), ForwardMethod.TWOPASS).forward(y, params);
            LatentCodec.ForwardOut faster = chengCheckerboard(m, ref.stateDict(), ForwardMethod.TWOPASS_FASTER).forward(y, params);
            Fixtures.assertClose(ref.tensor("forward.likelihoods.y"), two.likelihoods().get("y"), 1e-5, "twopass likelihoods");
            Fixtures.assertClose(ref.tensor("compress.y_hat"), two.yHat(), 1e-5, "twopass y_hat");
            float[] a = two.likelihoods().get("y").toFloatArray();
            float[] b = faster.likelihoods().get("y").toFloatArray();
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], 1e-6, "likelihood " + i);
            }
            float[] ya = two.yHat().toFloatArray();
            float[] yb = faster.yHat().toFloatArray();
            for (int i = 0; i < ya.length; i++) {
                assertEquals(ya[i], yb[i], 1e-6, "y_hat " + i);
            }
        }
    }

    @Test
    void onepassQuantizesWithoutMeans() throws IOException {
        ReferenceCase ref = ReferenceCase.fixture(CASE);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray y = Fixtures.array(m, ref.tensor("y"));
            NDArray params = Fixtures.array(m, ref.tensor("forward.h_s.out"));
            LatentCodec.ForwardOut one = chengCheckerboard(m, ref.stateDict(), ForwardMethod.ONEPASS).forward(y, params);
            float[] yv = ref.tensor("y").toFloats();
            float[] yh = one.yHat().toFloatArray();
            for (int i = 0; i < yv.length; i++) {
                assertEquals((float) Math.rint(yv[i]), yh[i], "y_hat " + i);
            }
            float[] lik = one.likelihoods().get("y").toFloatArray();
            for (float l : lik) {
                assertTrue(l >= 1e-9f && l <= 1f, "likelihood " + l);
            }
        }
    }

    @Test
    void randomLatentRoundTripsExactly() throws IOException {
        ReferenceCase ref = ReferenceCase.fixture(CASE);
        Random r = new Random(3);
        int h = 5;
        int w = 6;
        float[] y = new float[16 * h * w];
        float[] p = new float[32 * h * w];
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) r.nextGaussian() * 3;
        }
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) r.nextGaussian();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            CheckerboardLatentCodec codec = chengCheckerboard(m, ref.stateDict(), ForwardMethod.TWOPASS);
            NDArray params = m.create(p, new Shape(1, 32, h, w));
            LatentCodec.CompressOut out = codec.compress(m.create(y, new Shape(1, 16, h, w)), params);
            NDArray decoded = codec.decompress(m, out.strings(), out.shape(), params);
            assertArrayEquals(out.yHat().toFloatArray(), decoded.toFloatArray());
        }
    }
}
