package dev.tinify.runtime.codecs;

import static dev.tinify.runtime.entropy.Fixtures.array;
import static dev.tinify.runtime.entropy.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.entropy.EntropyBottleneck;
import dev.tinify.runtime.entropy.Fixtures;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The factorized codec on bmshj2018-factorized's latent: CompressAI's coder lists, bitstream and y_hat. */
class EntropyBottleneckLatentCodecTest {
    private static EntropyBottleneckLatentCodec codec(NDManager m, ReferenceCase c, Parts parts) throws IOException {
        EntropyBottleneck eb = Fixtures.entropyBottleneck(m, c.stateDict(), "entropy_bottleneck.");
        EntropyBottleneckLatentCodec codec = new EntropyBottleneckLatentCodec(eb, parts);
        codec.train(false);
        eb.train(false);
        return codec;
    }

    @Test
    void compressMatchesCompressAi() throws IOException {
        ReferenceCase c = ReferenceCase.fixture("bmshj2018-factorized");
        try (NDManager m = NDManager.newBaseManager()) {
            EntropyBottleneckLatentCodec codec = codec(m, c, Parts.CHILDREN);
            Fixtures.RecordingCoder coder = new Fixtures.RecordingCoder();
            codec.entropyBottleneck().setEntropyCoder(coder);
            LatentCodec.CompressOut out = codec.compress(array(m, c.tensor("y")), null);
            assertEquals(1, coder.symbols.size());
            assertArrayEquals(c.tensor("compress.coder.0.symbols").toInts(), coder.symbols.get(0), "symbols");
            assertArrayEquals(c.tensor("compress.coder.0.indexes").toInts(), coder.indexes.get(0), "indexes");
            List<List<byte[]>> expected = c.compressStrings();
            assertEquals(1, out.strings().size());
            assertArrayEquals(expected.get(0).get(0), out.strings().get(0).get(0), "y string");
            assertEquals(c.compressShape(), out.shape());
            assertClose(c.tensor("forward.g_s.in"), out.yHat(), 0, "y_hat");
        }
    }

    @Test
    void decompressAndForwardMatchCompressAi() throws IOException {
        ReferenceCase c = ReferenceCase.fixture("bmshj2018-factorized");
        try (NDManager m = NDManager.newBaseManager()) {
            EntropyBottleneckLatentCodec codec = codec(m, c, Parts.EXTERNAL);
            NDArray yHat = codec.decompress(m, c.compressStrings(), c.compressShape(), null);
            assertClose(c.tensor("forward.g_s.in"), yHat, 0, "decompressed y_hat");
            LatentCodec.ForwardOut f = codec.forward(array(m, c.tensor("y")), null);
            assertClose(c.tensor("forward.g_s.in"), f.yHat(), 0, "forward y_hat");
            assertClose(c.tensor("forward.likelihoods.y"), f.likelihoods().get("y"), 1e-6, "likelihoods");
        }
    }

    @Test
    void partsDecideTheStateDictNames() {
        try (NDManager m = NDManager.newBaseManager()) {
            EntropyBottleneck eb = new EntropyBottleneck(m, 4);
            assertTrue(new EntropyBottleneckLatentCodec(eb, Parts.CHILDREN).stateDict()
                    .containsKey("entropy_bottleneck.quantiles"));
            assertTrue(new EntropyBottleneckLatentCodec(eb, Parts.EXTERNAL).stateDict().isEmpty());
        }
    }

    @Test
    void badShapeIsAClearError() throws IOException {
        ReferenceCase c = ReferenceCase.fixture("bmshj2018-factorized");
        try (NDManager m = NDManager.newBaseManager()) {
            EntropyBottleneckLatentCodec codec = codec(m, c, Parts.CHILDREN);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> codec.decompress(m, c.compressStrings(), List.of(4, -8), null));
            assertTrue(e.getMessage().contains("EntropyBottleneckLatentCodec"), e.getMessage());
        }
    }
}
