package dev.tinify.runtime.train;

import dev.tinify.dsl.Metric;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.model.CompressionModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped trainer (its Adam, RateDistortionLoss and data pipeline) lowers the loss on a fixed
 * seed, keeps memory flat, and resumes exactly where it stopped.
 */
@ExtendWith(OnePyTorchThread.class)
class TrainerTest {
    @TempDir
    Path tmp;

    private TrainingConfig.Builder config(Path data, Path out, long steps) {
        return TrainingConfig.builder(data, out, Metric.MSE, 0.0130, steps)
                .batch(2).patch(64).seed(42).validateEvery(0).checkpointEvery(0);
    }

    @Test
    void frozenModulesKeepEveryValueWhileTheOthersTrain() throws Exception {
        Path data = TrainFixtures.someCrops(tmp.resolve("data"), 2);
        try (CompressionModel model = TrainFixtures.tinyHyperprior(4);
                Trainer t = new Trainer(model, config(data, tmp.resolve("out"), 3).netLr(1e-2).frozen(List.of("g_a", "g_s")).build())) {
            Map<String, float[]> before = new java.util.LinkedHashMap<>();
            model.parameters().forEach((name, p) -> before.put(name, p.value().toFloatArray()));
            t.run();
            int moved = 0;
            for (Map.Entry<String, float[]> e : before.entrySet()) {
                float[] now = model.parameters().get(e.getKey()).value().toFloatArray();
                if (e.getKey().startsWith("g_a.") || e.getKey().startsWith("g_s.")) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(e.getValue(), now, e.getKey() + " changed while frozen");
                } else if (!java.util.Arrays.equals(e.getValue(), now)) {
                    moved++;
                }
            }
            assertTrue(moved >= 10, "only " + moved + " unfrozen parameters changed");
            t.saveCheckpoint();
            Map<String, SafeTensors.Tensor> state = SafeTensors.read(tmp.resolve("out").resolve("checkpoint-00000003.optim.safetensors"));
            assertEquals(0, state.get("net.step.g_a.0.weight").toInts()[0], "a frozen parameter's step count");
            assertEquals(3, state.get("net.step.h_a.0.weight").toInts()[0], "a trained parameter's step count");
        }
    }

    @Test
    void freezingAnUnknownModuleIsRefusedWithTheModulesThereAre() throws Exception {
        Path data = TrainFixtures.someCrops(tmp.resolve("data"), 2);
        try (CompressionModel model = TrainFixtures.tinyHyperprior(4)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(model, config(data, tmp.resolve("out"), 1).frozen(List.of("g_x")).build()));
            assertTrue(e.getMessage().contains("'g_x'") && e.getMessage().contains("h_s"), e.getMessage());
        }
    }

    @Test
    void lossFallsAndNativeMemoryStaysFlat() throws Exception {
        Path data = TrainFixtures.someCrops(tmp.resolve("data"), 6);
        List<TrainingListener.Step> steps = new ArrayList<>();
        List<Integer> modelArrays = new ArrayList<>();
        try (CompressionModel model = TrainFixtures.tinyHyperprior(3);
                Trainer t = new Trainer(model, config(data, tmp.resolve("out"), 30).netLr(1e-3).build())) {
            t.addListener(new TrainingListener() {
                @Override
                public void onStep(Step s) {
                    steps.add(s);
                    modelArrays.add(model.manager().getManagedArrays().size());
                }
            });
            Trainer.Result r = t.run();
            assertEquals(30, r.step());
            assertNotNull(r.checkpoint());
            assertTrue(Files.exists(r.checkpoint()));
        }
        double first = steps.subList(0, 5).stream().mapToDouble(TrainingListener.Step::loss).average().orElseThrow();
        double last = steps.subList(25, 30).stream().mapToDouble(TrainingListener.Step::loss).average().orElseThrow();
        assertTrue(last < 0.9 * first, "loss fell by less than 10%: first " + first + ", last " + last);
        assertTrue(steps.get(29).auxLoss() < steps.get(0).auxLoss(), "aux loss did not fall");
        assertEquals(modelArrays.get(2), modelArrays.get(29), "arrays held by the model's manager grew: " + modelArrays);
    }

    @Test
    void resumeReproducesTheUninterruptedRun() throws Exception {
        Path data = TrainFixtures.someCrops(tmp.resolve("data"), 4);
        // Validation (update(force=true), evaluation forward, plateau schedule) runs in both parts.
        TrainingConfig.Builder cfg = config(data, tmp.resolve("a"), 6).valDir(data).validateEvery(2).patience(0);

        List<TrainingListener.Step> straight = new ArrayList<>();
        try (CompressionModel model = TrainFixtures.tinyHyperprior(5); Trainer t = new Trainer(model, cfg.build())) {
            t.addListener(collect(straight));
            t.run();
        }

        Path out = tmp.resolve("b");
        TrainingConfig cfgB = config(data, out, 6).valDir(data).validateEvery(2).patience(0).build();
        List<TrainingListener.Step> before = new ArrayList<>();
        try (CompressionModel model = TrainFixtures.tinyHyperprior(5); Trainer t = new Trainer(model, cfgB)) {
            t.addListener(collect(before));
            t.addListener(new TrainingListener() {
                @Override
                public void onStep(Step s) {
                    if (s.step() == 3) {
                        t.requestStop();
                    }
                }
            });
            Trainer.Result r = t.run();
            assertTrue(r.stopped());
            assertEquals(3, r.step());
            assertEquals(out.resolve("checkpoint-00000003.json"), r.checkpoint());
        }
        List<TrainingListener.Step> after = new ArrayList<>();
        // Another initialization: everything the next steps depend on must come from the checkpoint.
        try (CompressionModel model = TrainFixtures.tinyHyperprior(99); Trainer t = new Trainer(model, cfgB)) {
            t.resume(out);
            assertEquals(3, t.step());
            t.addListener(collect(after));
            t.run();
        }
        assertEquals(3, after.size());
        for (int i = 0; i < 3; i++) {
            TrainingListener.Step a = straight.get(3 + i);
            TrainingListener.Step b = after.get(i);
            assertEquals(a.step(), b.step());
            // exactly: the checkpoint restores weights, moments, step count, schedule and data order bit for bit
            assertEquals(a.loss(), b.loss(), 0, "loss of step " + a.step());
            assertEquals(a.auxLoss(), b.auxLoss(), 0, "aux loss of step " + a.step());
            assertEquals(a.learningRate(), b.learningRate(), 0, "learning rate of step " + a.step());
        }
        assertEquals(straight.subList(0, 3).stream().map(TrainingListener.Step::loss).toList(),
                before.stream().map(TrainingListener.Step::loss).toList(), "same seed, same first steps");
    }

    @Test
    void checkpointHoldsACompressAiStateDictAndOptimizerMoments() throws Exception {
        Path data = TrainFixtures.someCrops(tmp.resolve("data"), 2);
        Path out = tmp.resolve("out");
        try (CompressionModel model = TrainFixtures.tinyHyperprior(1); Trainer t = new Trainer(model, config(data, out, 1).build())) {
            t.run();
            Map<String, SafeTensors.Tensor> weights = SafeTensors.read(out.resolve("checkpoint-00000001.safetensors"));
            assertEquals(model.stateDict().keySet(), weights.keySet());
            Map<String, SafeTensors.Tensor> moments = SafeTensors.read(out.resolve("checkpoint-00000001.optim.safetensors"));
            assertTrue(moments.containsKey("aux.exp_avg.entropy_bottleneck.quantiles"));
            assertTrue(moments.containsKey("net.exp_avg_sq.g_a.0.weight"));
            assertTrue(moments.containsKey("net.step.g_a.0.weight"));
            assertEquals(3 * model.parameters().size(), moments.size(), "two moments and a step count per parameter");
            TrainingState s = TrainingState.read(out.resolve("latest.json"));
            assertEquals(1, s.step());
            assertEquals("bmshj2018-hyperprior", s.spec());
            assertEquals(Map.of("N", 8, "M", 12), s.params());
        }
    }

    @Test
    void resumeRefusesAnotherLambda() throws Exception {
        Path data = TrainFixtures.someCrops(tmp.resolve("data"), 2);
        Path out = tmp.resolve("out");
        try (CompressionModel model = TrainFixtures.tinyHyperprior(1); Trainer t = new Trainer(model, config(data, out, 1).build())) {
            t.run();
        }
        TrainingConfig other = TrainingConfig.builder(data, out, Metric.MSE, 0.0250, 2).batch(2).patch(64).build();
        try (CompressionModel model = TrainFixtures.tinyHyperprior(1); Trainer t = new Trainer(model, other)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.resume(out));
            assertTrue(e.getMessage().contains("lambda 0.013") && e.getMessage().contains("0.025"), e.getMessage());
        }
    }

    @Test
    void patchMustSuitTheModel() throws Exception {
        Path data = TrainFixtures.someCrops(tmp.resolve("data"), 1);
        try (CompressionModel model = TrainFixtures.tinyHyperprior(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(model, config(data, tmp.resolve("out"), 1).patch(48).build()));
            assertTrue(e.getMessage().contains("64"), e.getMessage());
        }
    }

    private static TrainingListener collect(List<TrainingListener.Step> into) {
        return new TrainingListener() {
            @Override
            public void onStep(Step s) {
                into.add(s);
            }
        };
    }

    @Test
    void aDivergingRunStopsWithItsStepAndLastCheckpoint() throws Exception {
        Path data = TrainFixtures.someCrops(tmp.resolve("data"), 2);
        // A learning rate of 1e20 throws every weight out of range after the first update.
        try (CompressionModel model = TrainFixtures.tinyHyperprior(3);
                Trainer t = new Trainer(model, config(data, tmp.resolve("out"), 6).netLr(1e20).checkpointEvery(1).build())) {
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, t::run);
            assertTrue(e.getMessage().matches("bmshj2018-hyperprior: (the loss is|non-finite gradients at step) .*"), e.getMessage());
            assertTrue(e.getMessage().contains("last checkpoint " + tmp.resolve("out")), e.getMessage());
        }
    }
}
