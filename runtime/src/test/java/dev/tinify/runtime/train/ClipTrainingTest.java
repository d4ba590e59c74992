package dev.tinify.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import dev.tinify.dsl.Metric;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.compile.SpecCompiler;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.video.VideoModel;
import dev.tinify.runtime.video.files.Chroma;
import dev.tinify.runtime.video.files.ColorSpace;
import dev.tinify.runtime.video.files.FrameWriter;
import dev.tinify.runtime.video.files.PanZoomClip;
import dev.tinify.runtime.video.files.PngFrames;
import dev.tinify.runtime.video.files.VideoFormat;
import dev.tinify.runtime.video.files.Y4m;
import dev.tinify.runtime.image.RgbImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training ssf2020 (from its spec, 8 channels) on groups of three frames of pan/zoom clips made
 * from the training photographs: the loss falls, and a resumed run takes exactly the steps of an
 * uninterrupted one.
 */
@ExtendWith(OnePyTorchThread.class)
class ClipTrainingTest {
    @TempDir
    Path tmp;

    private static VideoModel tinySsf(long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        return SpecCompiler.compileVideo(TrainFixtures.spec("ssf2020"), Map.of("mid_planes", 8, "planes", 8));
    }

    /** {@code n} clips of 5 frames, 160x144: Y4M files (4:2:0) and, for the last, a folder of PNG frames. */
    private static Path clips(Path dir, int n) throws IOException {
        Files.createDirectories(dir);
        for (int i = 0; i < n; i++) {
            RgbImage photo = ImageFiles.read(TrainFixtures.trainCrops().resolve(String.format("%05d.png", i)));
            try (PanZoomClip clip = new PanZoomClip(photo, 160, 144, 5, 2 + i, 1, 0.99, 25, 1);
                    FrameWriter out = i == n - 1 ? PngFrames.create(dir.resolve("clip" + i))
                            : Y4m.create(dir.resolve("clip" + i + ".y4m"), new VideoFormat(160, 144, 25, 1, Chroma.C420), ColorSpace.COMPRESSAI)) {
                RgbImage f;
                while ((f = clip.next()) != null) {
                    out.write(f);
                }
                out.finish();
            }
        }
        return dir;
    }

    private static TrainingConfig.Builder config(Path data, Path out, long steps) {
        return TrainingConfig.builder(data, out, Metric.MSE, 0.01, steps).batch(1).patch(128).seed(7).netLr(1e-3)
                .validateEvery(0).checkpointEvery(0);
    }

    private static List<TrainingListener.Step> run(Trainer t) {
        List<TrainingListener.Step> steps = new ArrayList<>();
        t.addListener(new TrainingListener() {
            @Override
            public void onStep(Step s) {
                steps.add(s);
            }
        });
        t.run();
        return steps;
    }

    @Test
    void lossFallsOnPanZoomClips() throws Exception {
        Path data = clips(tmp.resolve("clips"), 3);
        List<TrainingListener.Step> steps;
        try (VideoModel model = tinySsf(3); Trainer t = new Trainer(model, config(data, tmp.resolve("out"), 24).build())) {
            steps = run(t);
            Map<String, SafeTensors.Tensor> weights = SafeTensors.read(tmp.resolve("out").resolve("checkpoint-00000024.safetensors"));
            assertEquals(model.stateDict().keySet(), weights.keySet());
            assertTrue(weights.containsKey("motion_hyperprior.hyper_decoder_scale.deconv1.weight"));
        }
        assertEquals(24, steps.size());
        double first = steps.subList(0, 4).stream().mapToDouble(TrainingListener.Step::loss).average().orElseThrow();
        double last = steps.subList(20, 24).stream().mapToDouble(TrainingListener.Step::loss).average().orElseThrow();
        assertTrue(last < 0.8 * first, "loss fell by less than 20%: first " + first + ", last " + last);
    }

    @Test
    void resumeReproducesTheUninterruptedRun() throws Exception {
        Path data = clips(tmp.resolve("clips"), 2);
        List<TrainingListener.Step> straight;
        // Validation (tables rebuilt, evaluation forward of the validation clips, plateau schedule) runs in both parts.
        try (VideoModel model = tinySsf(5); Trainer t = new Trainer(model, config(data, tmp.resolve("a"), 4).valDir(data)
                .validateEvery(2).patience(0).build())) {
            straight = run(t);
        }
        Path out = tmp.resolve("b");
        TrainingConfig cfg = config(data, out, 4).valDir(data).validateEvery(2).patience(0).build();
        try (VideoModel model = tinySsf(5); Trainer t = new Trainer(model, config(data, out, 2).valDir(data).validateEvery(2)
                .patience(0).build())) {
            run(t);
        }
        List<TrainingListener.Step> after;
        // Another initialization: everything the next steps depend on must come from the checkpoint.
        try (VideoModel model = tinySsf(99); Trainer t = new Trainer(model, cfg)) {
            t.resume(out);
            assertEquals(2, t.step());
            after = run(t);
        }
        assertEquals(2, after.size());
        for (int i = 0; i < 2; i++) {
            assertEquals(straight.get(2 + i).loss(), after.get(i).loss(), 0, "loss of step " + (3 + i));
            assertEquals(straight.get(2 + i).auxLoss(), after.get(i).auxLoss(), 0, "aux loss of step " + (3 + i));
        }
    }

    @Test
    void aClipShorterThanAGroupIsRefusedNamingIt() throws Exception {
        Path data = tmp.resolve("short");
        Files.createDirectories(data);
        RgbImage photo = ImageFiles.read(TrainFixtures.trainCrops().resolve("00000.png"));
        try (PanZoomClip clip = new PanZoomClip(photo, 128, 128, 2, 1, 1, 1, 25, 1);
                FrameWriter out = Y4m.create(data.resolve("two.y4m"), new VideoFormat(128, 128, 25, 1, Chroma.C444), ColorSpace.COMPRESSAI)) {
            out.write(clip.next());
            out.write(clip.next());
            out.finish();
        }
        try (VideoModel model = tinySsf(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(model, config(data, tmp.resolve("out"), 1).build()));
            assertTrue(e.getMessage().contains("two.y4m") && e.getMessage().contains("2 frames"), e.getMessage());
        }
    }
}
