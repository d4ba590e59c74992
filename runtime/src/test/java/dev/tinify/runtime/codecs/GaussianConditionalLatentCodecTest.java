package dev.tinify.runtime.codecs;

import static dev.tinify.runtime.entropy.Fixtures.array;
import static dev.tinify.runtime.entropy.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.tinify.runtime.codecs.GaussianConditionalLatentCodec.Chunks;
import dev.tinify.runtime.entropy.Fixtures;
import dev.tinify.runtime.entropy.GaussianConditional;
import dev.tinify.runtime.nn.Layer;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Gaussian codec on mbt2018-mean's y and h_s output (scales then means). */
class GaussianConditionalLatentCodecTest {
    private static GaussianConditionalLatentCodec codec(NDManager m, ReferenceCase c, Chunks chunks, Quantizer q)
            throws IOException {
        GaussianConditional gc = Fixtures.gaussianConditional(m, c.stateDict(), "gaussian_conditional.");
        return new GaussianConditionalLatentCodec(gc, null, q, chunks, Parts.CHILDREN);
    }

    @Test
    void compressMatchesCompressAiForEitherChunkOrder() throws IOException {
        ReferenceCase c = ReferenceCase.fixture("mbt2018-mean");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray y = array(m, c.tensor("y"));
            NDArray params = array(m, c.tensor("forward.h_s.out"));
            NDList halves = params.split(2, 1);
            NDArray swapped = halves.get(1).concat(halves.get(0), 1);
            for (Chunks chunks : new Chunks[] {Chunks.SCALES_MEANS, Chunks.MEANS_SCALES}) {
                GaussianConditionalLatentCodec codec = codec(m, c, chunks, Quantizer.NOISE);
                codec.train(false);
                Fixtures.RecordingCoder coder = new Fixtures.RecordingCoder();
                codec.gaussianConditional().setEntropyCoder(coder);
                LatentCodec.CompressOut out = codec.compress(y, chunks == Chunks.SCALES_MEANS ? params : swapped);
                assertArrayEquals(c.tensor("compress.coder.1.symbols").toInts(), coder.symbols.get(0), chunks + " symbols");
                assertArrayEquals(c.tensor("compress.coder.1.indexes").toInts(), coder.indexes.get(0), chunks + " indexes");
                assertArrayEquals(c.compressStrings().get(0).get(0), out.strings().get(0).get(0), chunks + " string");
                assertEquals(List.of(4, 8), out.shape());
                assertClose(c.tensor("forward.g_s.in"), out.yHat(), 0, chunks + " y_hat");
            }
        }
    }

    @Test
    void steQuantizesAroundTheMeansWithIdentityGradient() throws IOException {
        ReferenceCase c = ReferenceCase.fixture("mbt2018-mean");
        try (NDManager m = NDManager.newBaseManager()) {
            GaussianConditionalLatentCodec codec = codec(m, c, Chunks.SCALES_MEANS, Quantizer.STE);
            codec.train(true);
            NDArray y = array(m, c.tensor("y"));
            y.setRequiresGradient(true);
            NDArray params = array(m, c.tensor("forward.h_s.out"));
            LatentCodec.ForwardOut out;
            try (GradientCollector g = Engine.getInstance().newGradientCollector()) {
                out = codec.forward(y, params);
                g.backward(out.yHat().sum());
            }
            // in training the values are STE-rounded around the means, as in evaluation
            assertClose(c.tensor("forward.g_s.in"), out.yHat(), 0, "y_hat");
            float[] grad = y.getGradient().toFloatArray();
            for (float v : grad) {
                assertEquals(1f, v, "straight-through gradient");
            }
        }
    }

    @Test
    void entropyParametersMapTheContextFirst() throws IOException {
        ReferenceCase c = ReferenceCase.fixture("mbt2018-mean");
        try (NDManager m = NDManager.newBaseManager()) {
            GaussianConditional gc = Fixtures.gaussianConditional(m, c.stateDict(), "gaussian_conditional.");
            // a transform that swaps the halves: the codec then reads means first
            Layer swap = x -> {
                NDList h = x.split(2, 1);
                return h.get(1).concat(h.get(0), 1);
            };
            GaussianConditionalLatentCodec codec = new GaussianConditionalLatentCodec(gc, swap, Quantizer.NOISE,
                    Chunks.MEANS_SCALES, Parts.EXTERNAL);
            codec.train(false);
            LatentCodec.CompressOut out = codec.compress(array(m, c.tensor("y")), array(m, c.tensor("forward.h_s.out")));
            assertArrayEquals(c.compressStrings().get(0).get(0), out.strings().get(0).get(0));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new GaussianConditionalLatentCodec(gc, swap, Quantizer.NOISE, Chunks.SCALES, Parts.CHILDREN));
            assertTrue(e.getMessage().contains("entropy_parameters"), e.getMessage());
        }
    }

    @Test
    void missingContextIsAClearError() throws IOException {
        ReferenceCase c = ReferenceCase.fixture("mbt2018-mean");
        try (NDManager m = NDManager.newBaseManager()) {
            GaussianConditionalLatentCodec codec = codec(m, c, Chunks.SCALES_MEANS, Quantizer.NOISE);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> codec.forward(array(m, c.tensor("y")), null));
            assertTrue(e.getMessage().contains("GaussianConditionalLatentCodec"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Chunks.of(List.of("means")));
        }
    }
}
