package dev.tinify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.dsl.Metric;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.metrics.Bpp;
import dev.tinify.runtime.metrics.Psnr;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.reference.ReferenceCase;
import dev.tinify.runtime.refine.LatentRefiner;
import dev.tinify.runtime.refine.Refinement;
import dev.tinify.runtime.train.RateDistortionLoss;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Encoder-side latent refinement with the shipped weights on a real photograph: the refined file
 * has a lower rate-distortion loss, measured on what a decoder really gets (bytes of the strings,
 * the decoded 8-bit image), and decodes with an ordinary decoder to exactly the reconstruction the
 * encoder optimized; zero steps codes what plain compression codes.
 */
class LatentRefinementTest {
    /** A crop whose sides are not multiples of 64, so the loss must leave the padding out. */
    private static final int HEIGHT = 120;
    private static final int WIDTH = 180;
    private static final int QUALITY = 3;

    private static RgbImage photo() throws IOException {
        RgbImage img = ImageFiles.read(ReferenceCase.sharedDir().resolve("data").resolve("dev8").resolve("sunset.png"));
        int top = 150;
        int left = 200;
        return img.crop(new Padding(left, img.width() - left - WIDTH, top, img.height() - top - HEIGHT));
    }

    @ParameterizedTest
    @CsvSource({"bmshj2018-hyperprior, SGA", "mbt2018-mean, SGA", "bmshj2018-hyperprior, STE"})
    void refinementLowersTheCodedRateDistortionLossAndDecodesToTheEncodersReconstruction(String arch, Refinement.Method method)
            throws IOException {
        RgbImage source = photo();
        Refinement refinement = new Refinement(12, method, Refinement.DEFAULT_LEARNING_RATE);
        try (Codec encoder = Codec.open(arch, QUALITY, Metric.MSE, Map.of(), null);
                Codec decoder = Codec.open(arch, QUALITY, Metric.MSE, Map.of(), null);
                NDManager m = NDManager.newBaseManager()) {
            CompressionModel model = encoder.model();
            double lambda = RateDistortionLoss.lambda(model.spec(), Metric.MSE, QUALITY);
            Padding pad = Padding.forStride(HEIGHT, WIDTH, model.downsamplingFactor());
            NDArray x = source.pad(pad).toNDArray(m);
            CompressionModel.Compressed plain = model.compress(x);
            LatentRefiner.Result r = new LatentRefiner(model, new RateDistortionLoss(Metric.MSE, lambda), refinement).refine(x, pad);
            assertTrue(r.loss() < r.initialLoss(), arch + ": " + r);
            CompressionModel.Compressed refined = model.compressLatent(r.y());

            // An ordinary decoder (another model built from the same weights) decodes the refined strings.
            RgbImage plainDecoded = decode(decoder.model(), plain, pad, m);
            RgbImage refinedDecoded = decode(decoder.model(), refined, pad, m);
            double plainLoss = codedLoss(source, plainDecoded, plain, lambda);
            double refinedLoss = codedLoss(source, refinedDecoded, refined, lambda);
            assertTrue(refinedLoss < plainLoss, arch + " " + method + ": refined loss " + refinedLoss + " not below plain " + plainLoss);

            // The encoder's reconstruction of the latent it coded: g_s of the rounded latent, clamped, without padding.
            RgbImage encoderSide = RgbImage.fromNDArray(model.forwardLatent(r.y()).xHat().clip(0f, 1f)).crop(pad);
            assertArrayEquals(encoderSide.data(), refinedDecoded.data(), 0f, arch + ": decoder differs from the encoder's reconstruction");
        }
    }

    private static RgbImage decode(CompressionModel decoder, CompressionModel.Compressed c, Padding pad, NDManager m) {
        return RgbImage.fromNDArray(decoder.decompress(m, c.strings(), c.shape())).crop(pad);
    }

    /** CompressAI's training loss on what was really coded: lambda 255^2 MSE of the 8-bit decoded image plus bpp of the strings. */
    private static double codedLoss(RgbImage source, RgbImage decoded, CompressionModel.Compressed c, double lambda) {
        long bytes = c.strings().stream().flatMap(List::stream).mapToLong(b -> b.length).sum();
        return lambda * Psnr.mse8Bit(source, decoded) + Bpp.of(bytes, source.height(), source.width());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bmshj2018-hyperprior", "mbt2018-mean", "mbt2018"})
    void zeroStepsCodesWhatCompressCodes(String arch) throws IOException {
        RgbImage source = photo();
        try (Codec codec = Codec.open(arch, QUALITY, Metric.MSE, Map.of("N", 16, "M", 24), null);
                NDManager m = NDManager.newBaseManager()) {
            CompressionModel model = codec.model();
            Padding pad = Padding.forStride(HEIGHT, WIDTH, model.downsamplingFactor());
            NDArray x = source.pad(pad).toNDArray(m);
            CompressionModel.Compressed today = model.compress(x);
            LatentRefiner.Result r = new LatentRefiner(model, new RateDistortionLoss(Metric.MSE, 0.01), Refinement.NONE).refine(x, pad);
            CompressionModel.Compressed viaRefiner = model.compressLatent(r.y());
            assertEquals(today.shape(), viaRefiner.shape());
            assertEquals(today.strings().size(), viaRefiner.strings().size());
            for (int i = 0; i < today.strings().size(); i++) {
                assertArrayEquals(today.strings().get(i).get(0), viaRefiner.strings().get(i).get(0), arch + " stream " + i);
            }
        }
    }

    /**
     * Native memory stays flat over the steps: a refinement of 80 steps ends with about the
     * resident set of one of 10 (one activation of this image leaked per step would add about
     * 70 MiB).
     */
    @Test
    void residentSetStaysFlatOverManySteps() throws IOException {
        RgbImage source = photo().crop(new Padding(0, WIDTH - HEIGHT, 0, 0));
        try (Codec codec = Codec.open("bmshj2018-hyperprior", 1, Metric.MSE, Map.of(), null)) {
            codec.compress(source, Refinement.steps(10));
            long afterShort = ResidentMemory.kib();
            codec.compress(source, Refinement.steps(80));
            long growth = ResidentMemory.kib() - afterShort;
            assertTrue(growth < 40 * 1024, "RSS grew by " + growth / 1024 + " MiB over 80 refinement steps");
        }
    }

    @Test
    void modelsWithoutAFixedLambdaAreRefused() throws IOException {
        RgbImage source = photo();
        try (Codec vbr = Codec.open("bmshj2018-hyperprior-vbr", 1, Metric.MSE, Map.of("N", 16, "M", 24), null)) {
            TinifyException e = assertThrows(TinifyException.class, () -> vbr.compress(source, Refinement.steps(2)));
            assertTrue(e.getMessage().contains("variable-rate"), e.getMessage());
        }
    }

    @Test
    void optionsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> Refinement.steps(-1));
        assertThrows(IllegalArgumentException.class, () -> new Refinement(3, Refinement.Method.STE, 0));
        assertEquals(Refinement.Method.STE, Refinement.Method.parse("ste"));
        assertThrows(IllegalArgumentException.class, () -> Refinement.Method.parse("adam"));
    }

}
