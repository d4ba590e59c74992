package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tinify.Tinify;
import dev.tinify.dsl.SpecHash;
import dev.tinify.dsl.SpecReader;
import dev.tinify.runtime.image.ImageFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spec of one's own goes train -> export -> encode -> decode with no flag beyond the model and
 * the weights: the run records the spec's text and hash, parameters keep their integer type.
 */
class SpecWorkflowTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path specFile;
    static Path run;

    @BeforeAll
    static void trainACustomSpec() throws Exception {
        specFile = dir.resolve("my-hyperprior.yaml");
        Files.writeString(specFile, Tinify.specText("bmshj2018-hyperprior").replace("name: bmshj2018-hyperprior", "name: my-hyperprior"));
        run = dir.resolve("run");
        CliRun r = CliRun.trainTiny(specFile.toString(), CliRun.trainData(dir), run, "--steps", "1");
        assertEquals(0, r.status(), r.toString());
    }

    @Test
    void theCheckpointRecordsTheSpecAndIntegerParameters() throws Exception {
        JsonNode state = JSON.readTree(run.resolve("latest.json").toFile());
        assertTrue(state.get("params").get("N").isInt(), "N is stored as an integer: " + state.get("params"));
        assertEquals(8, state.get("params").get("N").intValue());
        var recorded = SpecReader.read("recorded", state.get("specText").asText());
        assertEquals("my-hyperprior", recorded.name());
        assertEquals(SpecHash.of(SpecReader.read(specFile), Map.of("N", 8, "M", 12)), state.get("specHash").asText());
    }

    @Test
    void exportNeedsNoSpecFileAndEncodeDecodeNeedNoSizes() throws Exception {
        // The spec file is gone by the time of the export: the run's recorded text is used.
        Path moved = Files.move(specFile, dir.resolve("elsewhere.yaml"));
        Path weights = dir.resolve("w.safetensors");
        CliRun export = CliRun.of("export", run.toString(), "-o", weights.toString(), "--precision", "fp32");
        Files.move(moved, specFile);
        assertEquals(0, export.status(), export.toString());
        JsonNode meta = JSON.readTree(dir.resolve("w.json").toFile());
        assertTrue(meta.get("params").get("N").isInt(), meta.toString());
        assertEquals(JSON.readTree(run.resolve("latest.json").toFile()).get("specHash").asText(), meta.get("spec_hash").asText());

        Path png = CliRun.dev8Png(dir, "fog.png", 64, 96);
        Path tfy = dir.resolve("fog.tfy");
        Path back = dir.resolve("fog-decoded.png");
        CliRun enc = CliRun.of("encode", png.toString(), "-m", specFile.toString(), "-q", "3", "--weights", weights.toString(),
                "-o", tfy.toString());
        assertEquals(0, enc.status(), enc.toString());
        CliRun dec = CliRun.of("decode", tfy.toString(), "-m", specFile.toString(), "--weights", weights.toString(), "-o", back.toString());
        assertEquals(0, dec.status(), dec.toString());
        assertEquals(96, ImageFiles.read(back).width());
    }

    @Test
    void aTrainingCheckpointIsUsableAsWeightsEvenWithParametersWrittenAsDoubles() throws Exception {
        // Checkpoints written before parameters kept their types hold N as 8.0 in the JSON beside the weights.
        Path old = Files.createDirectories(dir.resolve("old"));
        Path weights = Files.copy(run.resolve("checkpoint-00000001.safetensors"), old.resolve("checkpoint-00000001.safetensors"));
        String json = Files.readString(run.resolve("checkpoint-00000001.json"));
        String doubles = json.replaceAll("\"N\"\\s*:\\s*8\\b", "\"N\" : 8.0").replaceAll("\"M\"\\s*:\\s*12\\b", "\"M\" : 12.0");
        assertTrue(doubles.contains("8.0") && doubles.contains("12.0"), doubles);
        Files.writeString(old.resolve("checkpoint-00000001.json"), doubles);
        Path png = CliRun.dev8Png(dir, "pier.png", 64, 64);
        CliRun enc = CliRun.of("encode", png.toString(), "-m", specFile.toString(), "-q", "3", "--weights", weights.toString(),
                "-o", dir.resolve("pier.tfy").toString());
        assertEquals(0, enc.status(), enc.toString());
    }
}
