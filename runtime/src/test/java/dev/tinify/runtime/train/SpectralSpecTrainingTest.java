package dev.tinify.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.compile.SpecCompiler;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.nn.Param;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spectral hyperprior spec (every convolution stored as {@code weight_transformed}) trains with
 * the shipped trainer, every frequency-domain weight receives updates, and afterwards a photograph
 * round-trips through its bitstreams exactly.
 */
@ExtendWith(OnePyTorchThread.class)
class SpectralSpecTrainingTest {
    private static final int STEPS = 4;

    @TempDir
    Path tmp;

    @Test
    void spectralHyperpriorTrainsAndRoundTripsExactly() throws Exception {
        Path data = TrainFixtures.someCrops(tmp.resolve("data"), 2);
        Engine.getInstance().setRandomSeed(7);
        try (CompressionModel model = SpecCompiler.compile(TrainFixtures.spec("bmshj2018-hyperprior-spectral"),
                Map.of("N", 8, "M", 12))) {
            Map<String, float[]> before = new LinkedHashMap<>();
            model.parameters().forEach((k, p) -> {
                if (k.endsWith(".weight_transformed")) {
                    before.put(k, p.value().toFloatArray());
                }
            });
            assertEquals(14, before.size(), "spectral layers: g_a 4, g_s 4, h_a 3, h_s 3: " + before.keySet());
            assertFalse(model.stateDict().containsKey("g_a.0.weight"), "no spatial weight is stored");
            assertArrayEquals(new long[] {8, 3, 5, 3, 2}, model.stateDict().get("g_a.0.weight_transformed").value().getShape().getShape());

            List<Double> losses = TrainFixtures.train(model, data, tmp.resolve("out"), STEPS);
            assertEquals(STEPS, losses.size());
            losses.forEach(l -> assertTrue(Double.isFinite(l), "loss " + losses));
            before.forEach((k, w) -> assertFalse(Arrays.equals(w, model.parameters().get(k).value().toFloatArray()),
                    k + " was not updated: no gradient reached the frequency-domain weights"));

            model.train(false);
            model.update(true);
            try (NDManager m = NDManager.newBaseManager()) {
                RgbImage photo = ImageFiles.read(TrainFixtures.trainCrops().resolve("00001.png"));
                NDArray x = photo.crop(new Padding(0, photo.width() - 128, 0, photo.height() - 128)).toNDArray(m);
                NDArray y = model.forward(x).y();
                LatentCodec.CompressOut c = model.latentCodec().compress(y, null);
                NDArray decoded = model.latentCodec().decompress(m, c.strings(), c.shape(), null);
                assertArrayEquals(c.yHat().toFloatArray(), decoded.toFloatArray(), "the decoder rebuilds the encoder's latent exactly");
                CompressionModel.Compressed file = model.compress(x);
                NDArray decodedImage = model.decompress(m, file.strings(), file.shape());
                NDArray encoderSide = model.forward(x).xHat().clip(0f, 1f);
                assertArrayEquals(encoderSide.toFloatArray(), decodedImage.toFloatArray(),
                        "the decoded image is the encoder's reconstruction");
            }
        }
    }
}
