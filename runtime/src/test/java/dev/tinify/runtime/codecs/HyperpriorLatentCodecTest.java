package dev.tinify.runtime.codecs;

import static dev.tinify.runtime.entropy.Fixtures.array;
import static dev.tinify.runtime.entropy.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.codecs.GaussianConditionalLatentCodec.Chunks;
import dev.tinify.runtime.entropy.EntropyBottleneck;
import dev.tinify.runtime.entropy.Fixtures;
import dev.tinify.runtime.entropy.GaussianConditional;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The hyperprior codec on the stored intermediates of ScaleHyperprior (h_a on |y|, scales only)
 * and MeanScaleHyperprior (scales and means), with h_a and h_s replayed from the fixtures.
 */
class HyperpriorLatentCodecTest {
    private record Built(HyperpriorLatentCodec codec, EntropyBottleneck eb, GaussianConditional gc) {}

    /** The classic layout: parts at the model root, registered by the caller. */
    private static Built classic(NDManager m, ReferenceCase c, Parts parts) throws IOException {
        boolean scaleOnly = c.name().equals("bmshj2018-hyperprior");
        EntropyBottleneck eb = Fixtures.entropyBottleneck(m, c.stateDict(), "entropy_bottleneck.");
        GaussianConditional gc = Fixtures.gaussianConditional(m, c.stateDict(), "gaussian_conditional.");
        Replay hA = new Replay("h_a", c.tensor("forward.h_a.in"), c.tensor("forward.h_a.out"));
        Replay hS = new Replay("h_s", c.tensor("forward.h_s.in"), c.tensor("forward.h_s.out"));
        HyperLatentCodec hyper = new HyperLatentCodec(eb, hA, hS, Quantizer.NOISE, scaleOnly, parts);
        GaussianConditionalLatentCodec y = new GaussianConditionalLatentCodec(gc, null, Quantizer.NOISE,
                scaleOnly ? Chunks.SCALES : Chunks.SCALES_MEANS, parts);
        HyperpriorLatentCodec codec = new HyperpriorLatentCodec(y, hyper, parts);
        codec.train(false);
        eb.train(false);
        gc.train(false);
        return new Built(codec, eb, gc);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bmshj2018-hyperprior", "mbt2018-mean"})
    void compressMatchesCompressAi(String name) throws IOException {
        ReferenceCase c = ReferenceCase.fixture(name);
        try (NDManager m = NDManager.newBaseManager()) {
            Built b = classic(m, c, Parts.EXTERNAL);
            Fixtures.RecordingCoder coder = new Fixtures.RecordingCoder();
            b.eb().setEntropyCoder(coder);
            b.gc().setEntropyCoder(coder);
            LatentCodec.CompressOut out = b.codec().compress(array(m, c.tensor("y")), null);
            assertEquals(2, coder.symbols.size(), "z then y");
            for (int i = 0; i < 2; i++) {
                assertArrayEquals(c.tensor("compress.coder." + i + ".symbols").toInts(), coder.symbols.get(i), "call " + i + " symbols");
                assertArrayEquals(c.tensor("compress.coder." + i + ".indexes").toInts(), coder.indexes.get(i), "call " + i + " indexes");
            }
            List<List<byte[]>> expected = c.compressStrings();
            assertEquals(2, out.strings().size(), "[y, z]");
            for (int s = 0; s < 2; s++) {
                assertArrayEquals(expected.get(s).get(0), out.strings().get(s).get(0), "stream " + s);
            }
            assertEquals(c.compressShape(), out.shape(), "classic shape is the hyper shape");
            assertClose(c.tensor("forward.g_s.in"), out.yHat(), 0, "y_hat");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bmshj2018-hyperprior", "mbt2018-mean"})
    void decompressAcceptsBothShapeForms(String name) throws IOException {
        ReferenceCase c = ReferenceCase.fixture(name);
        try (NDManager m = NDManager.newBaseManager()) {
            Built b = classic(m, c, Parts.EXTERNAL);
            NDArray flat = b.codec().decompress(m, c.compressStrings(), c.compressShape(), null);
            assertClose(c.tensor("forward.g_s.in"), flat, 0, "y_hat from [h_z, w_z]");
            Map<String, Object> nested = Map.of("y", List.of(4, 8), "hyper", c.compressShape());
            NDArray fromMap = b.codec().decompress(m, c.compressStrings(), nested, null);
            assertClose(c.tensor("forward.g_s.in"), fromMap, 0, "y_hat from {y, hyper}");
            assertThrows(IllegalArgumentException.class, () -> b.codec().decompress(m, c.compressStrings(),
                    Map.of("y", List.of(4, 9), "hyper", c.compressShape()), null));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bmshj2018-hyperprior", "mbt2018-mean"})
    void evalForwardMatchesCompressAi(String name) throws IOException {
        ReferenceCase c = ReferenceCase.fixture(name);
        try (NDManager m = NDManager.newBaseManager()) {
            Built b = classic(m, c, Parts.EXTERNAL);
            LatentCodec.ForwardOut f = b.codec().forward(array(m, c.tensor("y")), null);
            assertEquals(List.of("y", "z"), new ArrayList<>(f.likelihoods().keySet()));
            assertClose(c.tensor("forward.likelihoods.y"), f.likelihoods().get("y"), 1e-6, "y likelihoods");
            assertClose(c.tensor("forward.likelihoods.z"), f.likelihoods().get("z"), 1e-6, "z likelihoods");
            assertClose(c.tensor("forward.g_s.in"), f.yHat(), 0, "y_hat");
        }
    }

    @Test
    void nestedPartsGetLatentCodecNames() throws IOException {
        ReferenceCase c = ReferenceCase.fixture("bmshj2018-hyperprior");
        try (NDManager m = NDManager.newBaseManager()) {
            Built b = classic(m, c, Parts.CHILDREN);
            Set<String> keys = b.codec().stateDict().keySet();
            assertTrue(keys.contains("y.gaussian_conditional.scale_table"), keys.toString());
            assertTrue(keys.contains("hyper.entropy_bottleneck.quantiles"), keys.toString());
            // the hyper branch is named as in CompressAI's latent-codec models
            Set<String> checkerboard = ReferenceCase.fixture("cheng2020-anchor-checkerboard").stateDict().keySet();
            for (String k : keys) {
                if (k.startsWith("hyper.entropy_bottleneck.")) {
                    assertTrue(checkerboard.contains("latent_codec." + k), k);
                }
            }
            LatentCodec.CompressOut out = b.codec().compress(array(m, c.tensor("y")), null);
            assertEquals(Map.of("y", List.of(4, 8), "hyper", List.of(1, 2)), out.shape());
            Built external = classic(m, c, Parts.EXTERNAL);
            assertTrue(external.codec().stateDict().isEmpty());
        }
    }
}
