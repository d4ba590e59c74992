package dev.tinify.runtime.train;

import dev.tinify.dsl.Metric;

import ai.djl.engine.Engine;
import dev.tinify.dsl.Spec;
import dev.tinify.dsl.SpecReader;
import dev.tinify.runtime.compile.SpecCompiler;
import dev.tinify.runtime.model.CompressionModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ArrayList;
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
}
