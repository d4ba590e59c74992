package dev.tinify.runtime.codecs.context;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.codecs.HyperLatentCodec;
import dev.tinify.runtime.codecs.HyperpriorLatentCodec;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.codecs.Parts;
import dev.tinify.runtime.codecs.Quantizer;
import dev.tinify.runtime.entropy.EntropyBottleneck;
import dev.tinify.runtime.entropy.Fixtures;
import dev.tinify.runtime.entropy.GaussianConditional;
import dev.tinify.runtime.entropy.SurrogateRounding;
import dev.tinify.runtime.layers.Activation;
import dev.tinify.runtime.layers.Conv2d;
import dev.tinify.runtime.layers.ConvTranspose2d;
import dev.tinify.runtime.layers.MaskedConv2d;
import dev.tinify.runtime.layers.Sequential;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The raster-scan codec assembled from real layers and loaded from the classic autoregressive
 * models' state dicts (parts at the model root), run on the stored latent and hyper params.
 */
class RasterScanLatentCodecTest {

    /** CompressAI's entropy_parameters of mbt2018 / cheng2020: 1x1 convs 12/3 -> 10/3 -> 8/3 -> 6/3 of M. */
    static Sequential entropyParameters(NDManager m, int mm) {
        return new Sequential(
                Conv2d.conv1x1(m, mm * 12 / 3, mm * 10 / 3), Activation.leakyRelu(),
                Conv2d.conv1x1(m, mm * 10 / 3, mm * 8 / 3), Activation.leakyRelu(),
                Conv2d.conv1x1(m, mm * 8 / 3, mm * 6 / 3));
    }

    /** The codec of a classic model with its parts loaded from the root of the state dict. */
    static RasterScanLatentCodec classic(NDManager m, ReferenceCase ref, Parts parts) throws IOException {
        return classic(m, ref, Quantizer.NOISE, parts);
    }

    static RasterScanLatentCodec classic(NDManager m, ReferenceCase ref, Quantizer quantizer, Parts parts) throws IOException {
        int mm = (int) ref.tensor("y").shape()[1];
        Map<String, Tensor> sd = ref.stateDict();
        GaussianConditional gc = Fixtures.gaussianConditional(m, sd, "gaussian_conditional.");
        Sequential ep = entropyParameters(m, mm);
        MaskedConv2d cp = new MaskedConv2d(m, mm, 2 * mm, 5, MaskedConv2d.MaskType.A);
        StateDicts.load(ep, StateDicts.withPrefix(sd, "entropy_parameters."));
        StateDicts.load(cp, StateDicts.withPrefix(sd, "context_prediction."));
        return new RasterScanLatentCodec(gc, ep, cp, quantizer, parts);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mbt2018", "cheng2020-anchor", "cheng2020-attn"})
    void compressIsByteIdenticalAndDecompressReproducesIt(String name) throws IOException {
        ReferenceCase ref = ReferenceCase.fixture(name);
        try (NDManager m = NDManager.newBaseManager()) {
            RasterScanLatentCodec codec = classic(m, ref, Parts.EXTERNAL);
            Fixtures.RecordingCoder coder = new Fixtures.RecordingCoder();
            codec.gaussianConditional().setEntropyCoder(coder);
            NDArray y = Fixtures.array(m, ref.tensor("y"));
            NDArray params = Fixtures.array(m, ref.tensor("forward.h_s.out"));

            LatentCodec.CompressOut out = codec.compress(y, params);
            assertEquals(1, coder.symbols.size(), "one coder call per batch item");
            assertArrayEquals(ref.tensor("compress.coder.1.symbols").toInts(), coder.symbols.get(0), "symbols");
            assertArrayEquals(ref.tensor("compress.coder.1.indexes").toInts(), coder.indexes.get(0), "indexes");
            byte[] expected = ref.compressStrings().get(0).get(0);
            assertArrayEquals(expected, out.strings().get(0).get(0), "y stream");
            assertEquals(List.of(4, 8), out.shape());
            Fixtures.assertClose(ref.tensor("decompress.g_s.in"), out.yHat(), 1e-5, "compress y_hat");

            NDArray decoded = codec.decompress(m, List.of(List.of(expected)), List.of(4, 8), params);
            assertArrayEquals(out.yHat().toFloatArray(), decoded.toFloatArray(), "decompress reproduces compress exactly");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mbt2018", "cheng2020-anchor"})
    void forwardRunsTheFullImageContextModel(String name) throws IOException {
        ReferenceCase ref = ReferenceCase.fixture(name);
        try (NDManager m = NDManager.newBaseManager()) {
            RasterScanLatentCodec codec = classic(m, ref, Parts.EXTERNAL);
            LatentCodec.ForwardOut out = codec.forward(Fixtures.array(m, ref.tensor("y")),
                    Fixtures.array(m, ref.tensor("forward.h_s.out")));
            Fixtures.assertClose(ref.tensor("forward.context_prediction.in"), out.yHat(), 0, "y_hat = round(y)");
            Fixtures.assertClose(ref.tensor("forward.likelihoods.y"), out.likelihoods().get("y"), 1e-5, "likelihoods");
        }
    }

    @Test
    void steGivesTheSynthesisTheLatentRoundedAroundItsMeansWithIdentityGradient() throws IOException {
        ReferenceCase ref = ReferenceCase.fixture("mbt2018");
        try (NDManager m = NDManager.newBaseManager()) {
            RasterScanLatentCodec codec = classic(m, ref, Quantizer.STE, Parts.EXTERNAL);
            NDArray y = Fixtures.array(m, ref.tensor("y"));
            NDArray params = Fixtures.array(m, ref.tensor("forward.h_s.out"));
            // evaluation: the context of round(y) gives CompressAI's means, and the latent is rounded around them
            float[] yv = ref.tensor("y").toFloats();
            float[] gaussian = ref.tensor("forward.entropy_parameters.out").toFloats();
            float[] expected = new float[yv.length];
            for (int i = 0; i < yv.length; i++) {
                float mean = gaussian[yv.length + i];
                expected[i] = Math.round(yv[i] - mean) + mean;
            }
            codec.train(false);
            assertArrayEquals(expected, codec.forward(y, params).yHat().toFloatArray(), 1e-4f, "round(y - means) + means");
            // refinement's stand-in replaces the rounding: one that does not round passes y through
            try (SurrogateRounding.Scope s = SurrogateRounding.open(NDArray::duplicate)) {
                assertArrayEquals(yv, codec.forward(y, params).yHat().toFloatArray(), 1e-5f, "the surrogate's values");
            }

            // training: the likelihoods see noise, the synthesis a rounded latent, and the gradient passes straight
            codec.train(true);
            y.setRequiresGradient(true);
            LatentCodec.ForwardOut out;
            try (GradientCollector g = Engine.getInstance().newGradientCollector()) {
                out = codec.forward(y, params);
                g.backward(out.yHat().sum());
            }
            float[] yHat = out.yHat().toFloatArray();
            for (int i = 0; i < yv.length; i++) {
                assertTrue(Math.abs(yHat[i] - yv[i]) <= 0.5f + 1e-5f, "within half a step of y at " + i);
            }
            for (float v : y.getGradient().toFloatArray()) {
                assertEquals(1f, v, "straight-through gradient");
            }
        }
    }

    @Test
    void partsAreRegisteredOnlyWhenTheCodecOwnsThem() throws IOException {
        ReferenceCase ref = ReferenceCase.fixture("mbt2018");
        try (NDManager m = NDManager.newBaseManager()) {
            assertTrue(classic(m, ref, Parts.EXTERNAL).stateDict().isEmpty());
            Map<String, Tensor> own = new LinkedHashMap<>();
            ref.stateDict().forEach((k, v) -> {
                if (k.startsWith("gaussian_conditional.") || k.startsWith("entropy_parameters.")
                        || k.startsWith("context_prediction.")) {
                    own.put(k, v);
                }
            });
            RasterScanLatentCodec codec = classic(m, ref, Parts.CHILDREN);
            assertEquals(new TreeSet<>(own.keySet()), new TreeSet<>(codec.stateDict().keySet()));
            StateDicts.load(codec, own);
        }
    }

    /** mbt2018's whole latent path as a classic model: hyperprior and raster scan, every part at the model root. */
    @Test
    void inAClassicHyperpriorTheWholeLatentCodecIsByteIdentical() throws IOException {
        ReferenceCase ref = ReferenceCase.fixture("mbt2018");
        try (NDManager m = NDManager.newBaseManager()) {
            int n = 16;
            int mm = 24;
            Sequential hA = new Sequential(Conv2d.conv3x3(m, mm, n), Activation.leakyRelu(), new Conv2d(m, n, n, 5, 2),
                    Activation.leakyRelu(), new Conv2d(m, n, n, 5, 2));
            Sequential hS = new Sequential(new ConvTranspose2d(m, n, mm, 5, 2), Activation.leakyRelu(),
                    new ConvTranspose2d(m, mm, mm * 3 / 2, 5, 2), Activation.leakyRelu(), Conv2d.conv3x3(m, mm * 3 / 2, 2 * mm));
            EntropyBottleneck eb = new EntropyBottleneck(m, n);
            Map<String, Tensor> sd = ref.stateDict();
            StateDicts.load(hA, StateDicts.withPrefix(sd, "h_a."));
            StateDicts.load(hS, StateDicts.withPrefix(sd, "h_s."));
            StateDicts.load(eb, StateDicts.withPrefix(sd, "entropy_bottleneck."));
            HyperpriorLatentCodec codec = new HyperpriorLatentCodec(classic(m, ref, Parts.EXTERNAL),
                    new HyperLatentCodec(eb, hA, hS, Quantizer.NOISE, false, Parts.EXTERNAL), Parts.EXTERNAL);

            LatentCodec.CompressOut out = codec.compress(Fixtures.array(m, ref.tensor("y")), null);
            List<List<byte[]>> expected = ref.compressStrings();
            assertEquals(2, out.strings().size());
            assertArrayEquals(expected.get(0).get(0), out.strings().get(0).get(0), "y stream");
            assertArrayEquals(expected.get(1).get(0), out.strings().get(1).get(0), "z stream");
            assertEquals(ref.compressShape(), out.shape());
            NDArray decoded = codec.decompress(m, expected, ref.compressShape(), null);
            Fixtures.assertClose(ref.tensor("decompress.g_s.in"), decoded, 1e-5, "decompressed y_hat");
            assertArrayEquals(out.yHat().toFloatArray(), decoded.toFloatArray());
        }
    }

    @Test
    void batchItemsAreCodedIndependentlyOneStreamEach() throws IOException {
        ReferenceCase ref = ReferenceCase.fixture("cheng2020-anchor");
        try (NDManager m = NDManager.newBaseManager()) {
            RasterScanLatentCodec codec = classic(m, ref, Parts.EXTERNAL);
            NDArray y = Fixtures.array(m, ref.tensor("y"));
            NDArray params = Fixtures.array(m, ref.tensor("forward.h_s.out"));
            // item 1 is item 0 shifted by one quantization step: a different stream
            NDArray y2 = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(y, y.add(1f)), 0);
            NDArray p2 = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(params, params), 0);
            LatentCodec.CompressOut out = codec.compress(y2, p2);
            assertEquals(1, out.strings().size());
            assertEquals(2, out.strings().get(0).size());
            assertArrayEquals(ref.compressStrings().get(0).get(0), out.strings().get(0).get(0), "item 0");
            byte[] alone = codec.compress(y.add(1f), params).strings().get(0).get(0);
            assertArrayEquals(alone, out.strings().get(0).get(1), "item 1");
            NDArray decoded = codec.decompress(m, out.strings(), out.shape(), p2);
            assertArrayEquals(out.yHat().toFloatArray(), decoded.toFloatArray());
        }
    }

    @Test
    void incrementalContextEqualsTheFullMaskedConvolutionOfTheDecodedLatent() throws IOException {
        ReferenceCase ref = ReferenceCase.fixture("cheng2020-attn");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Tensor> sd = ref.stateDict();
            MaskedConv2d cp = new MaskedConv2d(m, 16, 32, 5, MaskedConv2d.MaskType.A);
            StateDicts.load(cp, StateDicts.withPrefix(sd, "context_prediction."));
            RasterScanEngine engine = ContextFixtures.classicEngine(ref);
            RasterScanEngine.Encoded e = engine.encode(ref.tensor("y").toFloats(),
                    ref.tensor("forward.h_s.out").toFloats(), 4, 8);
            NDArray yHat = m.create(e.yHat(), new ai.djl.ndarray.types.Shape(1, 16, 4, 8));
            float[] full = cp.forward(yHat).toFloatArray();
            float[] incremental = engine.contextOf(e.yHat(), 4, 8);
            for (int i = 0; i < full.length; i++) {
                assertEquals(full[i], incremental[i], 1e-5 * Math.max(1, Math.abs(full[i])), "context " + i);
            }
        }
    }

    @Test
    void partsThatCannotRunPerPositionAreNamed() throws IOException {
        ReferenceCase ref = ReferenceCase.fixture("mbt2018");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray y = Fixtures.array(m, ref.tensor("y"));
            NDArray params = Fixtures.array(m, ref.tensor("forward.h_s.out"));
            RasterScanLatentCodec typeB = new RasterScanLatentCodec(new GaussianConditional(m), entropyParameters(m, 24),
                    new MaskedConv2d(m, 24, 48, 5, MaskedConv2d.MaskType.B), Parts.EXTERNAL);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> typeB.compress(y, params));
            assertTrue(e.getMessage().contains("type-A"), e.getMessage());
            Sequential spatial = new Sequential(new Conv2d(m, 96, 48, 3, 1));
            RasterScanLatentCodec wide = new RasterScanLatentCodec(new GaussianConditional(m), spatial,
                    new MaskedConv2d(m, 24, 48, 5, MaskedConv2d.MaskType.A), Parts.EXTERNAL);
            e = assertThrows(IllegalArgumentException.class, () -> wide.compress(y, params));
            assertTrue(e.getMessage().contains("pointwise"), e.getMessage());
        }
    }

    @Test
    void badInputsAreNamed() throws IOException {
        ReferenceCase ref = ReferenceCase.fixture("mbt2018");
        try (NDManager m = NDManager.newBaseManager()) {
            RasterScanLatentCodec codec = classic(m, ref, Parts.EXTERNAL);
            NDArray y = Fixtures.array(m, ref.tensor("y"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> codec.compress(y, null));
            assertTrue(e.getMessage().contains("side parameters"), e.getMessage());
            NDArray nan = y.duplicate();
            nan.set(new ai.djl.ndarray.index.NDIndex("0, 3, 2, 5"), Float.NaN);
            e = assertThrows(IllegalArgumentException.class,
                    () -> codec.compress(nan, Fixtures.array(m, ref.tensor("forward.h_s.out"))));
            assertTrue(e.getMessage().contains("non-finite") && e.getMessage().contains("index " + (3 * 32 + 2 * 8 + 5)),
                    e.getMessage());
            NDArray params = Fixtures.array(m, ref.tensor("forward.h_s.out"));
            e = assertThrows(IllegalArgumentException.class,
                    () -> codec.decompress(m, List.of(List.of(new byte[8])), List.of(4), params));
            assertTrue(e.getMessage().contains("shape"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> codec.decompress(m, List.of(List.of(new byte[8])), List.of(4, 9), params));
            assertTrue(e.getMessage().contains("do not match"), e.getMessage());
        }
    }
}
