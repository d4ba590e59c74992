package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tinify.runtime.train.Augmentation;
import dev.tinify.runtime.train.TrainingState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tinify train}: a short run writes checkpoints and a log, and a resumed run continues from them. */
class TrainCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void trainsThenResumes() throws Exception {
        Path data = CliRun.trainData(tmp);
        Path runDir = tmp.resolve("run");
        CliRun run = CliRun.trainTiny("bmshj2018-hyperprior", data, runDir, "--steps", "2");
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.out().startsWith("done at step 2"), run.toString());
        assertTrue(run.err().contains("lambda 0.0067"), "the zoo lambda of quality 3: " + run);
        assertTrue(Files.exists(runDir.resolve("checkpoint-00000002.safetensors")));

        run = CliRun.trainTiny("bmshj2018-hyperprior", data, runDir, "--steps", "3", "--resume", runDir.toString());
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.err().contains("resumed bmshj2018-hyperprior at step 2"), run.toString());
        assertTrue(run.out().startsWith("done at step 3"), run.toString());
        assertEquals(3, steps(runDir).size());
    }

    @Test
    void theProgressBarEndsItsLineAndIsNotDrawnAgain() throws Exception {
        Path data = CliRun.trainData(tmp);
        CliRun run = CliRun.of("train", "-m", "bmshj2018-hyperprior", "-q", "3", "--set", "N=8", "--set", "M=12", "--data",
                data.toString(), "--patch", "64", "--batch", "1", "--out", tmp.resolve("run").toString(), "--threads", "1", "--steps", "1");
        assertEquals(0, run.status(), run.toString());
        // The bar redraws its line with carriage returns: its last drawing is followed by a newline and nothing else.
        String err = run.err();
        assertTrue(err.contains("\rtrain 100%"), run.toString());
        assertTrue(err.endsWith("\n") && err.substring(err.lastIndexOf('\r')).indexOf('\n') == err.length() - err.lastIndexOf('\r') - 1,
                "the progress bar's last line is left open or drawn again: " + run);
    }

    @Test
    void resumeKeepsTheSavedLearningRateUnlessLrIsGiven() throws Exception {
        Path data = CliRun.trainData(tmp);
        Path runDir = tmp.resolve("run");
        CliRun run = CliRun.trainTiny("bmshj2018-hyperprior", data, runDir, "--steps", "1", "--lr", "2e-4");
        assertEquals(0, run.status(), run.toString());
        // Without --lr: the rate saved in the checkpoint, not the default 1e-4.
        run = CliRun.trainTiny("bmshj2018-hyperprior", data, runDir, "--steps", "2", "--resume", runDir.toString());
        assertEquals(0, run.status(), run.toString());
        // With --lr: the given rate from the first resumed step on, and saved with the next checkpoint.
        run = CliRun.trainTiny("bmshj2018-hyperprior", data, runDir, "--steps", "3", "--resume", runDir.toString(), "--lr", "5e-4");
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.err().contains("net learning rate set to 5.0E-4"), run.toString());

        List<JsonNode> steps = steps(runDir);
        assertEquals(List.of(1L, 2L, 3L), steps.stream().map(s -> s.get("step").asLong()).toList());
        assertEquals(List.of(2e-4, 2e-4, 5e-4), steps.stream().map(s -> s.get("lr").asDouble()).toList());
        TrainingState state = TrainingState.read(runDir.resolve("latest.json"));
        assertEquals(5e-4, state.netLr());
        assertEquals(0, state.plateauBad());
    }

    @Test
    void resumeKeepsTheSavedScheduleUnlessAnOptionIsGiven() throws Exception {
        Path data = CliRun.trainData(tmp);
        Path runDir = tmp.resolve("run");
        CliRun run = CliRun.trainTiny("bmshj2018-hyperprior", data, runDir, "--steps", "1", "--patience", "3", "--val-every", "7",
                "--checkpoint-every", "5", "--clip", "0.5");
        assertEquals(0, run.status(), run.toString());
        // Without the options: the saved values, not the defaults (20, 1000, 1000, 1.0).
        run = CliRun.trainTiny("bmshj2018-hyperprior", data, runDir, "--steps", "2", "--resume", runDir.toString());
        assertEquals(0, run.status(), run.toString());
        TrainingState.Schedule kept = TrainingState.read(runDir.resolve("latest.json")).schedule();
        assertEquals(new TrainingState.Schedule(7, 5, 3, 0.5, 0.5, null), kept);
        // With one: it replaces the saved value, says so, and the others stay.
        run = CliRun.trainTiny("bmshj2018-hyperprior", data, runDir, "--steps", "3", "--resume", runDir.toString(), "--patience", "9");
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.err().contains("--patience 9 replaces the run's 3"), run.toString());
        assertEquals(new TrainingState.Schedule(7, 5, 9, 0.5, 0.5, null), TrainingState.read(runDir.resolve("latest.json")).schedule());
    }

    @Test
    void resumeKeepsTheSavedAugmentationsUnlessGiven() throws Exception {
        Path data = CliRun.trainData(tmp);
        Path runDir = tmp.resolve("run");
        CliRun run = CliRun.trainTiny("bmshj2018-hyperprior", data, runDir, "--steps", "1", "--augment", "channels,flips");
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.err().contains("augment: flips and channels"), run.toString());
        assertEquals(List.of("flips", "channels"), TrainingState.read(runDir.resolve("latest.json")).augment());
        run = CliRun.trainTiny("bmshj2018-hyperprior", data, runDir, "--steps", "2", "--resume", runDir.toString());
        assertEquals(0, run.status(), run.toString());
        assertEquals(Set.of(Augmentation.FLIPS, Augmentation.CHANNELS), TrainingState.read(runDir.resolve("latest.json")).augmentations());
        run = CliRun.trainTiny("bmshj2018-hyperprior", data, runDir, "--steps", "3", "--resume", runDir.toString(), "--augment", "none");
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.err().contains("--augment none replaces the run's flips and channels"), run.toString());
        assertEquals(List.of(), TrainingState.read(runDir.resolve("latest.json")).augment());
    }

    @Test
    void anUnknownAugmentationIsRefusedInOneLine() {
        CliRun run = CliRun.of("train", "-m", "bmshj2018-hyperprior", "-q", "3", "--data", tmp.toString(), "--steps", "1",
                "--augment", "flips,hue");
        assertEquals(1, run.status(), run.toString());
        assertEquals("tinify train: --augment flips,hue: augmentation 'hue': expected [flips, channels] or none", run.err().strip());
    }

    @Test
    void resumeReadsNoValidationFolderTheCheckpointNames() throws Exception {
        Path data = CliRun.trainData(tmp);
        Path runDir = tmp.resolve("run");
        CliRun run = CliRun.trainTiny("bmshj2018-hyperprior", data, runDir, "--steps", "1", "--val", data.toString());
        assertEquals(0, run.status(), run.toString());
        Path json = runDir.resolve("latest.json");
        Path elsewhere = tmp.resolve("not-given");
        Files.writeString(json, Files.readString(json).replace(data.toString(), elsewhere.toString()));
        run = CliRun.trainTiny("bmshj2018-hyperprior", data, runDir, "--steps", "2", "--resume", runDir.toString());
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.err().contains("the run validated on " + elsewhere + "; give --val again"), run.toString());
        assertEquals(null, TrainingState.read(json).schedule().valDir(), "no validation without --val");
    }

    @Test
    void needsAQualityOrALambda() {
        CliRun run = CliRun.of("train", "-m", "bmshj2018-hyperprior", "--data", tmp.toString(), "--steps", "1");
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.err().contains("-q QUALITY") && run.err().contains("--lambda"), run.err());
    }

    /** The step records of a run's log. */
    static List<JsonNode> steps(Path runDir) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(runDir.resolve("train.jsonl"))) {
            JsonNode o = JSON.readTree(line);
            if (o.path("event").asText().equals("step")) {
                out.add(o);
            }
        }
        return out;
    }
}
