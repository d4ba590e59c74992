package dev.tinify.runtime.codecs.context;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.codecs.GaussianConditionalLatentCodec;
import dev.tinify.runtime.codecs.HyperLatentCodec;
import dev.tinify.runtime.codecs.HyperpriorLatentCodec;
import dev.tinify.runtime.codecs.GaussianConditionalLatentCodec.Chunks;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.codecs.Parts;
import dev.tinify.runtime.codecs.Quantizer;
import dev.tinify.runtime.codecs.context.ChannelGroupsLatentCodec.ContextGroups;
import dev.tinify.runtime.codecs.context.CheckerboardLatentCodec.AnchorParity;
import dev.tinify.runtime.codecs.context.CheckerboardLatentCodec.ForwardMethod;
import dev.tinify.runtime.entropy.EntropyBottleneck;
import dev.tinify.runtime.entropy.Fixtures;
import dev.tinify.runtime.entropy.GaussianConditional;
import dev.tinify.runtime.layers.Activation;
import dev.tinify.runtime.layers.CheckerboardMaskedConv2d;
import dev.tinify.runtime.layers.Conv2d;
import dev.tinify.runtime.layers.ConvTranspose2d;
import dev.tinify.runtime.layers.LayerModule;
import dev.tinify.runtime.layers.MaskedConv2d;
import dev.tinify.runtime.layers.Sequential;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ELIC's space-channel context: channel groups whose children are checkerboard codecs, assembled
 * from real layers, loaded from the ELIC fixtures' {@code latent_codec.y} and run on the stored
 * latent and hyper params.
 */
class ChannelGroupsLatentCodecTest {
    /** Group sizes and the Gaussian parameter layout of each ELIC variant. */
    private record Variant(int[] groups, Chunks chunks, ContextGroups contextGroups) {
        static Variant of(String name) {
            return name.equals("elic2022-official")
                    ? new Variant(new int[] {4, 12, 16}, Chunks.SCALES_MEANS, ContextGroups.ALL_PREVIOUS)
                    : new Variant(new int[] {2, 6, 8, 16}, Chunks.MEANS_SCALES, ContextGroups.FIRST_AND_PREVIOUS);
        }
    }

    /** Convolutions with ReLU between them, sized from the stored weights {@code prefix.0, .2, ...}. */
    static Sequential convReluChain(NDManager m, Map<String, Tensor> sd, String prefix) {
        List<LayerModule> layers = new ArrayList<>();
        for (int i = 0; sd.containsKey(prefix + i + ".weight"); i += 2) {
            if (i > 0) {
                layers.add(Activation.relu());
            }
            long[] s = sd.get(prefix + i + ".weight").shape();
            layers.add(new Conv2d(m, (int) s[1], (int) s[0], (int) s[2], 1));
        }
        return new Sequential(layers);
    }

    static ChannelGroupsLatentCodec elic(NDManager m, ReferenceCase ref, Fixtures.@Nullable RecordingCoder coder) throws IOException {
        Variant v = Variant.of(ref.name());
        Map<String, Tensor> sd = ref.stateDict();
        List<LayerModule> channelContext = new ArrayList<>();
        List<LatentCodec> codecs = new ArrayList<>();
        for (int k = 0; k < v.groups.length; k++) {
            if (k > 0) {
                channelContext.add(convReluChain(m, sd, "latent_codec.y.channel_context.y" + k + "."));
            }
            GaussianConditional gc = new GaussianConditional(m);
            if (coder != null) {
                gc.setEntropyCoder(coder);
            }
            int g = v.groups[k];
            codecs.add(new CheckerboardLatentCodec(
                    new GaussianConditionalLatentCodec(gc, null, Quantizer.STE, v.chunks, Parts.CHILDREN),
                    convReluChain(m, sd, "latent_codec.y.latent_codec.y" + k + ".entropy_parameters."),
                    new CheckerboardMaskedConv2d(m, g, 2 * g, 5, MaskedConv2d.MaskType.A),
                    v.chunks, AnchorParity.EVEN, ForwardMethod.TWOPASS, Parts.CHILDREN));
        }
        ChannelGroupsLatentCodec codec = new ChannelGroupsLatentCodec(v.groups, v.contextGroups, channelContext, codecs, Parts.CHILDREN);
        StateDicts.load(codec, StateDicts.withPrefix(sd, "latent_codec.y."));
        return codec;
    }

    @ParameterizedTest
    @ValueSource(strings = {"elic2022-official", "elic2022-chandelier"})
    void compressIsByteIdenticalAndDecompressReproducesIt(String name) throws IOException {
        ReferenceCase ref = ReferenceCase.fixture(name);
        try (NDManager m = NDManager.newBaseManager()) {
            Fixtures.RecordingCoder coder = new Fixtures.RecordingCoder();
            ChannelGroupsLatentCodec codec = elic(m, ref, coder);
            NDArray y = Fixtures.array(m, ref.tensor("y"));
            NDArray params = Fixtures.array(m, ref.tensor("forward.h_s.out"));

            LatentCodec.CompressOut out = codec.compress(y, params);
            int streams = 2 * codec.groups().length;
            List<List<byte[]>> expected = ref.compressStrings().subList(0, streams);
            assertEquals(streams, coder.symbols.size());
            for (int i = 0; i < streams; i++) {
                // coder call 0 is the hyper-latent z, coded before y
                assertArrayEquals(ref.tensor("compress.coder." + (i + 1) + ".symbols").toInts(), coder.symbols.get(i), "symbols " + i);
                assertArrayEquals(ref.tensor("compress.coder." + (i + 1) + ".indexes").toInts(), coder.indexes.get(i), "indexes " + i);
                assertArrayEquals(expected.get(i).get(0), out.strings().get(i).get(0), "stream " + i);
            }
            Object shape = ((Map<?, ?>) ref.compressShape()).get("y");
            assertEquals(shape, out.shape());
            Fixtures.assertClose(ref.tensor("compress.y_hat"), out.yHat(), 1e-5, "compress y_hat");

            NDArray decoded = codec.decompress(m, expected, shape, params);
            assertArrayEquals(out.yHat().toFloatArray(), decoded.toFloatArray(), "decompress reproduces compress exactly");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"elic2022-official", "elic2022-chandelier"})
    void forwardMatchesCompressAi(String name) throws IOException {
        ReferenceCase ref = ReferenceCase.fixture(name);
        try (NDManager m = NDManager.newBaseManager()) {
            ChannelGroupsLatentCodec codec = elic(m, ref, null);
            LatentCodec.ForwardOut out = codec.forward(Fixtures.array(m, ref.tensor("y")),
                    Fixtures.array(m, ref.tensor("forward.h_s.out")));
            Fixtures.assertClose(ref.tensor("forward.likelihoods.y"), out.likelihoods().get("y"), 1e-5, "likelihoods");
            Fixtures.assertClose(ref.tensor("compress.y_hat"), out.yHat(), 1e-5, "y_hat");
        }
    }

    /** ELIC's whole latent codec: the hyperprior around the channel groups, z coded first but streamed last. */
    @ParameterizedTest
    @ValueSource(strings = {"elic2022-official", "elic2022-chandelier"})
    void nestedInAHyperpriorTheWholeLatentCodecIsByteIdentical(String name) throws IOException {
        ReferenceCase ref = ReferenceCase.fixture(name);
        try (NDManager m = NDManager.newBaseManager()) {
            int n = 16;
            int mm = 32;
            Sequential hA = new Sequential(Conv2d.conv3x3(m, mm, n), Activation.relu(), new Conv2d(m, n, n, 5, 2),
                    Activation.relu(), new Conv2d(m, n, n, 5, 2));
            // official ends with a stride-1 deconv to 2N, Chandelier's re-implementation with a conv to 2M
            boolean official = name.equals("elic2022-official");
            Sequential hS = new Sequential(new ConvTranspose2d(m, n, n, 5, 2), Activation.relu(),
                    new ConvTranspose2d(m, n, n * 3 / 2, 5, 2), Activation.relu(),
                    official ? new ConvTranspose2d(m, n * 3 / 2, 2 * n, 3, 1) : Conv2d.conv3x3(m, n * 3 / 2, 2 * mm));
            HyperLatentCodec hyper = new HyperLatentCodec(new EntropyBottleneck(m, n), hA, hS, Quantizer.STE, false,
                    Parts.CHILDREN);
            ChannelGroupsLatentCodec groups = elic(m, ref, null);
            HyperpriorLatentCodec codec = new HyperpriorLatentCodec(groups, hyper, Parts.CHILDREN);
            StateDicts.load(hyper, StateDicts.withPrefix(ref.stateDict(), "latent_codec.hyper."));

            LatentCodec.CompressOut out = codec.compress(Fixtures.array(m, ref.tensor("y")), null);
            List<List<byte[]>> expected = ref.compressStrings();
            assertEquals(expected.size(), out.strings().size());
            for (int i = 0; i < expected.size(); i++) {
                assertArrayEquals(expected.get(i).get(0), out.strings().get(i).get(0), "stream " + i);
            }
            assertEquals(ref.compressShape(), out.shape());
            NDArray decoded = codec.decompress(m, expected, ref.compressShape(), null);
            assertArrayEquals(out.yHat().toFloatArray(), decoded.toFloatArray());
        }
    }

    @Test
    void mismatchedGroupsAreNamed() throws IOException {
        ReferenceCase ref = ReferenceCase.fixture("elic2022-official");
        try (NDManager m = NDManager.newBaseManager()) {
            ChannelGroupsLatentCodec codec = elic(m, ref, null);
            NDArray y = m.zeros(new ai.djl.ndarray.types.Shape(1, 30, 4, 8));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> codec.compress(y, Fixtures.array(m, ref.tensor("forward.h_s.out"))));
            assertTrue(e.getMessage().contains("30 channels"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> codec.decompress(m, ref.compressStrings().subList(0, 5), List.of(), null));
            assertTrue(e.getMessage().contains("group shapes"), e.getMessage());
        }
    }
}
