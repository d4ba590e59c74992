package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.runtime.checkpoint.SafeTensors;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --stage 1|2} of a variable-rate model: the base model alone, then every rate. */
class TrainStagesTest {
    private static final List<String> VBR_MODULES = List.of("Gain", "QuantABCD.0.weight", "QuantABCD.4.bias", "gayn2zqstep.0.weight",
            "gayn2zqstep.4.bias");

    @TempDir
    Path tmp;

    private CliRun train(Path data, Path init, Path out, String stage) {
        return CliRun.of("train", "-m", "bmshj2018-hyperprior-vbr", "-q", "8", "--set", "N=16", "--set", "M=24", "--data", data.toString(),
                "--patch", "64", "--batch", "2", "--steps", "2", "--threads", "1", "--quiet", "--init", init.toString(), "--stage", stage,
                "--out", out.toString());
    }

    @Test
    void stageOneTrainsTheBaseModelAndLeavesTheVariableRateModulesAsTheyWere() throws Exception {
        Path data = CliRun.trainData(tmp);
        Path init = VariableRateCommandTest.wideGains(tmp);
        Map<String, SafeTensors.Tensor> start = SafeTensors.read(init);

        CliRun one = train(data, init, tmp.resolve("stage1"), "1");
        assertEquals(0, one.status(), one.toString());
        assertTrue(one.err().contains("mse lambda 0.18, stage 1: the base model"), one.err());
        Map<String, SafeTensors.Tensor> after1 = SafeTensors.read(tmp.resolve("stage1").resolve("checkpoint-00000002.safetensors"));
        for (String key : VBR_MODULES) {
            assertArrayEquals(start.get(key).toFloats(), after1.get(key).toFloats(), key + " changed in stage 1");
        }
        assertFalse(Arrays.equals(start.get("g_a.0.weight").toFloats(), after1.get("g_a.0.weight").toFloats()), "g_a not trained");
        assertFalse(Arrays.equals(start.get("h_s.0.weight").toFloats(), after1.get("h_s.0.weight").toFloats()), "h_s not trained");

        // Stage 2 trains the quantization offsets too.
        CliRun two = train(data, init, tmp.resolve("stage2"), "2");
        assertEquals(0, two.status(), two.toString());
        assertTrue(two.err().contains("stage 2: every rate with its zoo mse lambda"), two.err());
        Map<String, SafeTensors.Tensor> after2 = SafeTensors.read(tmp.resolve("stage2").resolve("checkpoint-00000002.safetensors"));
        assertFalse(Arrays.equals(start.get("QuantABCD.0.weight").toFloats(), after2.get("QuantABCD.0.weight").toFloats()));
    }

    @Test
    void stageOneNeedsAVariableRateModel() throws Exception {
        Path data = CliRun.trainData(tmp);
        CliRun run = CliRun.of("train", "-m", "bmshj2018-hyperprior", "-q", "3", "--set", "N=8", "--set", "M=12", "--data",
                data.toString(), "--patch", "64", "--batch", "1", "--steps", "1", "--threads", "1", "--quiet", "--stage", "1", "--out",
                tmp.resolve("run").toString());
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.err().contains("bmshj2018-hyperprior is a fixed-rate model: the base stage trains the base model of a "
                + "variable-rate one"), run.err());
        CliRun bad = CliRun.of("train", "-m", "bmshj2018-hyperprior-vbr", "-q", "3", "--data", data.toString(), "--steps", "1",
                "--stage", "3", "--out", tmp.resolve("run3").toString());
        assertTrue(bad.err().contains("--stage 3: expected 1 (the base model) or 2 (every rate)"), bad.err());
    }
}
