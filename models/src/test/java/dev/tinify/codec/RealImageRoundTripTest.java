package dev.tinify.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.tinify.Tinify;
import dev.tinify.runtime.coding.EntropyCoders;
import dev.tinify.runtime.container.TfyContainer;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every architecture is a real codec on real photographs ({@code data/dev8}), with both entropy
 * coders: small models with random calibrated weights ({@link Calibration}) code crops of several
 * sizes, some of which need padding; the decoder rebuilds exactly the latent the encoder coded,
 * from the strings carried through a {@code .tfy} container; and the container's real size is
 * within {@link #RATE_TOLERANCE} of the rate the likelihoods predict plus the container's header.
 */
class RealImageRoundTripTest {
    private static final double RATE_TOLERANCE = 0.02;
    private static final List<String> CODERS = List.of("ans", "range");

    /** Architecture, small parameters, image and crop size (height x width; not all multiples of 64). */
    static Stream<Arguments> cases() {
        Map<String, Number> classic = Map.of("N", 16, "M", 24);
        // ELIC codes 2 streams per group: a larger M keeps the coders' per-stream flush small against the rate.
        Map<String, Object> elic = Map.of("N", 16, "M", 64);
        return Stream.of(
                Arguments.of("bmshj2018-factorized", classic, "sunset.png", 256, 256),
                Arguments.of("bmshj2018-factorized-relu", classic, "fog.png", 200, 250),
                Arguments.of("bmshj2018-hyperprior", classic, "lampbird.png", 256, 256),
                Arguments.of("mbt2018-mean", classic, "maldives.png", 192, 250),
                Arguments.of("mbt2018", classic, "pier.png", 256, 256),
                Arguments.of("cheng2020-anchor", Map.of("N", 16), "wine.png", 250, 192),
                Arguments.of("cheng2020-attn", Map.of("N", 16), "yellowflower.png", 256, 256),
                Arguments.of("cheng2020-anchor-checkerboard", Map.of("N", 16), "appleflower.png", 256, 200),
                Arguments.of("elic2022-official", withGroups(elic, List.of(8, 8, 16, 32)), "sunset.png", 250, 256),
                Arguments.of("elic2022-chandelier", withGroups(elic, List.of(4, 12, 16, 32)), "pier.png", 256, 256));
    }

    private static Map<String, Object> withGroups(Map<String, Object> p, List<Integer> groups) {
        return Map.of("N", p.get("N"), "M", p.get("M"), "groups", groups);
    }

    @ParameterizedTest(name = "{0} {2} {3}x{4}")
    @MethodSource("cases")
    void codesARealPhotographWithBothCoders(String arch, Map<String, ?> params, String image, int height, int width) throws IOException {
        Engine.getInstance().setRandomSeed(7);
        RgbImage crop = centreCrop(ImageFiles.read(ReferenceCase.sharedDir().resolve("data/dev8").resolve(image)), height, width);
        try (CompressionModel model = Tinify.build(arch, params); NDManager m = NDManager.newBaseManager()) {
            Padding pad = Padding.forStride(height, width, model.downsamplingFactor());
            NDArray x = crop.pad(pad).toNDArray(m);
            Calibration.apply(model, x);
            model.update(true);
            double estimateBits = estimateBits(model, x);
            for (String coder : CODERS) {
                Codecs.entropyModels(model).values().forEach(e -> e.setEntropyCoder(EntropyCoders.get(coder)));
                Codecs.Encoded enc = Codecs.encode(model, x);
                TfyContainer written = new TfyContainer(arch, specHash(arch), model.weightsFingerprint(), 0, "mse", coder, "libtorch",
                        height, width, pad, enc.shape(), enc.strings());
                byte[] file = written.toBytes();
                TfyContainer read = TfyContainer.parse(file);
                assertEquals(written, read, "container round trip");

                float[] decoded = Codecs.decodeLatent(model, read.strings(), read.latentShape());
                assertArrayEquals(enc.yHat(), decoded, arch + "/" + coder + ": decoded latent differs from the encoder's y_hat");
                NDArray xHat = model.decompress(m, read.strings(), read.latentShape());
                RgbImage out = RgbImage.fromNDArray(xHat).crop(pad);
                assertEquals(height, out.height());
                assertEquals(width, out.width());

                long header = file.length - read.stringBytes();
                double predicted = estimateBits / 8 + header;
                double rel = (file.length - predicted) / predicted;
                System.out.println(arch + "/" + coder + ": " + String.format("%d bytes (%d strings + %d header), likelihoods predict %.1f"
                        + " + %d: %+.2f%%", file.length, read.stringBytes(), header, estimateBits / 8, header, 100 * rel));
                assertTrue(Math.abs(rel) <= RATE_TOLERANCE, () -> String.format("%s/%s: real size %d bytes is %+.2f%% off the "
                        + "likelihoods' %.1f bytes plus %d header bytes", arch, coder, file.length, 100 * rel, estimateBits / 8, header));
            }
        }
    }

    /** {@code -sum(log2(likelihoods))} of an evaluation-mode forward: the rate the model predicts. */
    private static double estimateBits(CompressionModel model, NDArray x) {
        try (NDManager m = x.getManager().newSubManager()) {
            m.tempAttachAll(new NDList(x));
            CompressionModel.ForwardResult out = model.forward(x);
            double bits = 0;
            for (NDArray l : out.likelihoods().values()) {
                for (float p : l.toFloatArray()) {
                    bits -= Math.log(p) / Math.log(2);
                }
            }
            return bits;
        }
    }

    private static RgbImage centreCrop(RgbImage img, int height, int width) {
        int top = (img.height() - height) / 2;
        int left = (img.width() - width) / 2;
        return img.crop(new Padding(left, img.width() - width - left, top, img.height() - height - top));
    }

    private static String specHash(String arch) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(Tinify.specText(arch).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
