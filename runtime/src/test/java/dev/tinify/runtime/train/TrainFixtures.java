package dev.tinify.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.dsl.Metric;
import dev.tinify.dsl.Spec;
import dev.tinify.dsl.SpecReader;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.compile.SpecCompiler;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.model.CompressionModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Specs, tiny models and small image folders for the training tests. */
final class TrainFixtures {
    private TrainFixtures() {}

    static Spec spec(String name) {
        return SpecReader.read(Path.of("..", "specs", name + ".yaml"));
    }

    /** bmshj2018-hyperprior with N=8, M=12, weights initialized from {@code seed}. */
    static CompressionModel tinyHyperprior(long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        return SpecCompiler.compile(spec("bmshj2018-hyperprior"), Map.of("N", 8, "M", 12));
    }

    /** The shared folder of 256x256 training crops. */
    static Path trainCrops() {
        String shared = System.getProperty("tinify.shared", Path.of("..", "..", "shared").toString());
        return Path.of(shared, "data", "train256");
    }

    /** A folder holding copies of the first {@code n} training crops. */
    static Path someCrops(Path dir, int n) throws IOException {
        Files.createDirectories(dir);
        for (int i = 0; i < n; i++) {
            String f = String.format("%05d.png", i);
            Files.copy(trainCrops().resolve(f), dir.resolve(f));
        }
        return dir;
    }

    /** Trains {@code model} {@code steps} steps (MSE, lambda 0.013, batch 2 of 64x64) and returns each step's loss. */
    static List<Double> train(CompressionModel model, Path data, Path out, int steps) {
        List<Double> losses = new ArrayList<>();
        TrainingConfig cfg = TrainingConfig.builder(data, out, Metric.MSE, 0.0130, steps)
                .batch(2).patch(64).seed(3).validateEvery(0).checkpointEvery(0).build();
        try (Trainer t = new Trainer(model, cfg)) {
            t.addListener(new TrainingListener() {
                @Override
                public void onStep(Step s) {
                    losses.add(s.loss());
                }
            });
            if (t.run().step() != steps) {
                throw new AssertionError("the run stopped before " + steps + " steps");
            }
        }
        return losses;
    }

    /**
     * Trains {@code model} {@code steps} steps as {@link #train} does and checks that every loss is
     * finite and that each parameter in {@code watched} changed ({@code what} says which gradient
     * did not arrive otherwise).
     */
    static void trainUpdating(CompressionModel model, Path data, Path out, int steps, Collection<String> watched, String what) {
        Map<String, float[]> before = new LinkedHashMap<>();
        watched.forEach(k -> before.put(k, model.parameters().get(k).value().toFloatArray()));
        List<Double> losses = train(model, data, out, steps);
        assertEquals(steps, losses.size());
        losses.forEach(l -> assertTrue(Double.isFinite(l), "loss " + losses));
        before.forEach((k, w) -> assertFalse(Arrays.equals(w, model.parameters().get(k).value().toFloatArray()),
                k + " was not updated: " + what));
    }

    /** A latent coded and decoded again, with the latent it came from. */
    record LatentRoundTrip(NDArray y, LatentCodec.CompressOut coded, NDArray decoded) {}

    /**
     * Puts a trained model in evaluation mode with fresh tables and checks on a 128x128 photograph
     * that the decoder rebuilds the encoder's latent exactly and that the decoded image is the
     * encoder's reconstruction. Arrays live in {@code m}.
     */
    static LatentRoundTrip assertExactRoundTrip(CompressionModel model, NDManager m) throws IOException {
        model.train(false);
        model.update(true);
        RgbImage photo = ImageFiles.read(trainCrops().resolve("00001.png"));
        NDArray x = photo.crop(new Padding(0, photo.width() - 128, 0, photo.height() - 128)).toNDArray(m);
        NDArray y = model.forward(x).y();
        LatentCodec.CompressOut c = model.latentCodec().compress(y, null);
        NDArray decoded = model.latentCodec().decompress(m, c.strings(), c.shape(), null);
        assertArrayEquals(c.yHat().toFloatArray(), decoded.toFloatArray(), "the decoder rebuilds the encoder's latent exactly");
        CompressionModel.Compressed file = model.compress(x);
        NDArray decodedImage = model.decompress(m, file.strings(), file.shape());
        NDArray encoderSide = model.forward(x).xHat().clip(0f, 1f);
        assertArrayEquals(encoderSide.toFloatArray(), decodedImage.toFloatArray(), "the decoded image is the encoder's reconstruction");
        return new LatentRoundTrip(y, c, decoded);
    }
}
