package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tinify train} of a point-cloud model: the papers' loss on a folder of meshes, resumed exactly, weights that encode. */
class PointCloudTrainTest {
    @TempDir
    Path dir;

    private CliRun train(Path data, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "-m", "sfu2023-pcc-rec-pointnet", "--set", "num_points=32", "--lambda",
                "50", "--data", data.toString(), "--batch", "2", "--out", out.toString(), "--threads", "1", "--quiet",
                "--checkpoint-every", "2", "--val-every", "2"));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    @Test
    void aResumedRunEqualsTheUninterruptedOneAndItsWeightsEncode() throws Exception {
        Path data = Files.createDirectories(dir.resolve("meshes"));
        Files.writeString(data.resolve("octa.off"), PointCloudCommandTest.OCTAHEDRON);
        Files.writeString(data.resolve("tetra.off"), "OFF\n4 4 0\n0 0 0\n4 0 0\n0 4 0\n0 0 4\n3 0 1 2\n3 0 1 3\n3 0 2 3\n3 1 2 3\n");
        Path whole = dir.resolve("whole");
        CliRun run = train(data, whole, "--steps", "4", "--val", data.toString());
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.err().contains("batch 2 of 32-point clouds") && run.err().contains("rate + lambda * Chamfer"), run.err());
        Path split = dir.resolve("split");
        assertEquals(0, train(data, split, "--steps", "2", "--val", data.toString()).status());
        run = train(data, split, "--steps", "4", "--resume", split.toString(), "--val", data.toString());
        assertEquals(0, run.status(), run.toString());
        assertArrayEquals(Files.readAllBytes(whole.resolve("checkpoint-00000004.safetensors")),
                Files.readAllBytes(split.resolve("checkpoint-00000004.safetensors")));

        ObjectMapper json = new ObjectMapper();
        List<JsonNode> steps = new ArrayList<>();
        for (String line : Files.readAllLines(whole.resolve("train.jsonl"))) {
            JsonNode n = json.readTree(line);
            if (n.get("event").asText().equals("step")) {
                steps.add(n);
            }
        }
        assertEquals(4, steps.size());
        for (JsonNode s : steps) {
            // The logged loss is the papers' rate + lambda * Chamfer distance.
            assertEquals(s.get("bpp").asDouble() + 50 * s.get("chamfer").asDouble(), s.get("loss").asDouble(),
                    1e-5 * s.get("loss").asDouble());
            assertTrue(!s.has("psnr"), s.toString());
        }

        Path tfy = dir.resolve("c.tfy");
        run = CliRun.of("encode", data.resolve("octa.off").toString(), "-m", "sfu2023-pcc-rec-pointnet", "--weights",
                whole.resolve("checkpoint-00000004.safetensors").toString(), "-o", tfy.toString());
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.out().contains("32 points (32 coded)") && run.out().contains("D1 PSNR"), run.out());
    }
}
