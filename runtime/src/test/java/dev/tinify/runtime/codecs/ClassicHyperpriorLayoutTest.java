package dev.tinify.runtime.codecs;

import static dev.tinify.runtime.entropy.Fixtures.array;
import static dev.tinify.runtime.entropy.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.codecs.GaussianConditionalLatentCodec.Chunks;
import dev.tinify.runtime.entropy.EntropyBottleneck;
import dev.tinify.runtime.entropy.GaussianConditional;
import dev.tinify.runtime.layers.Activation;
import dev.tinify.runtime.layers.Conv2d;
import dev.tinify.runtime.layers.ConvTranspose2d;
import dev.tinify.runtime.layers.Sequential;
import dev.tinify.runtime.nn.ForwardScope;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The classic layout: a model root owning {@code entropy_bottleneck}, {@code h_a}, {@code h_s} and
 * {@code gaussian_conditional} (real layers, loaded from CompressAI's state dict minus g_a/g_s), with
 * the hyperprior codec built on {@link Parts#EXTERNAL} parts. Starting from the stored y, it must
 * reproduce CompressAI's bitstreams.
 */
class ClassicHyperpriorLayoutTest {
    /** The hyperprior part of ScaleHyperprior / MeanScaleHyperprior (N=16, M=24). */
    private static final class Root extends Module {
        final HyperpriorLatentCodec codec;

        Root(NDManager m, boolean meanScale) {
            int n = 16;
            int c = 24;
            EntropyBottleneck eb = child("entropy_bottleneck", new EntropyBottleneck(m, n));
            Sequential hA;
            Sequential hS;
            if (meanScale) {
                hA = new Sequential(new Conv2d(m, c, n, 3, 1), Activation.leakyRelu(), new Conv2d(m, n, n, 5, 2),
                        Activation.leakyRelu(), new Conv2d(m, n, n, 5, 2));
                hS = new Sequential(new ConvTranspose2d(m, n, c, 5, 2), Activation.leakyRelu(),
                        new ConvTranspose2d(m, c, c * 3 / 2, 5, 2), Activation.leakyRelu(), new Conv2d(m, c * 3 / 2, 2 * c, 3, 1));
            } else {
                hA = new Sequential(new Conv2d(m, c, n, 3, 1), Activation.relu(), new Conv2d(m, n, n, 5, 2),
                        Activation.relu(), new Conv2d(m, n, n, 5, 2));
                hS = new Sequential(new ConvTranspose2d(m, n, n, 5, 2), Activation.relu(),
                        new ConvTranspose2d(m, n, n, 5, 2), Activation.relu(), new Conv2d(m, n, c, 3, 1), Activation.relu());
            }
            child("h_a", hA);
            child("h_s", hS);
            GaussianConditional gc = child("gaussian_conditional", new GaussianConditional(m));
            HyperLatentCodec hyper = new HyperLatentCodec(eb, hA, hS, Quantizer.NOISE, !meanScale, Parts.EXTERNAL);
            GaussianConditionalLatentCodec y = new GaussianConditionalLatentCodec(gc, null, Quantizer.NOISE,
                    meanScale ? Chunks.SCALES_MEANS : Chunks.SCALES, Parts.EXTERNAL);
            codec = new HyperpriorLatentCodec(y, hyper, Parts.EXTERNAL);
        }
    }

    private static void check(String name, boolean meanScale) throws IOException {
        ReferenceCase c = ReferenceCase.fixture(name);
        try (NDManager m = NDManager.newBaseManager()) {
            Root root = new Root(m, meanScale);
            Map<String, Tensor> hyperprior = c.stateDict().entrySet().stream()
                    .filter(e -> !e.getKey().startsWith("g_a.") && !e.getKey().startsWith("g_s."))
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            StateDicts.load(root, hyperprior, name);
            root.train(false);
            try (ForwardScope scope = ForwardScope.open(m, root)) {
                NDArray y = array(scope.manager(), c.tensor("y"));
                LatentCodec.CompressOut out = root.codec.compress(y, null);
                List<List<byte[]>> expected = c.compressStrings();
                for (int s = 0; s < 2; s++) {
                    assertArrayEquals(expected.get(s).get(0), out.strings().get(s).get(0), name + " stream " + s);
                }
                assertEquals(c.compressShape(), out.shape());
                NDArray yHat = root.codec.decompress(scope.manager(), expected, c.compressShape(), null);
                // symbols are exact; means come from our h_s, within float noise of CompressAI's
                assertClose(c.tensor("forward.g_s.in"), yHat, 1e-5, name + " y_hat");
                LatentCodec.ForwardOut f = root.codec.forward(y, null);
                assertClose(c.tensor("forward.likelihoods.z"), f.likelihoods().get("z"), 1e-5, name + " z likelihoods");
                assertClose(c.tensor("forward.likelihoods.y"), f.likelihoods().get("y"), 1e-5, name + " y likelihoods");
            }
        }
    }

    @Test
    void scaleHyperpriorReproducesCompressAiStreams() throws IOException {
        check("bmshj2018-hyperprior", false);
    }

    @Test
    void meanScaleHyperpriorReproducesCompressAiStreams() throws IOException {
        check("mbt2018-mean", true);
    }
}
