package dev.tinify.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tinify.Tinify;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/**
 * Golden cases of any spec: a recorded case checks as CompressAI's do, the JUnit entry point runs
 * it, and a changed weight fails the check naming the tensor.
 */
class GoldenCasesTest {
    private static final Map<String, Integer> TINY = Map.of("N", 8, "M", 12);

    @Test
    void recordedCasePassesAndAChangedWeightIsNamed(@TempDir Path dir) throws Throwable {
        Path recorded = CaseRecorder.record("bmshj2018-hyperprior", TINY, null, 7, 64, 64, dir.resolve("case"));
        CaseReport report = CheckRunner.check(recorded);
        assertTrue(report.passed(), report.lines().toString());
        // Every comparison the fixtures get: forward, each coder call, the strings, decompress.
        List<String> what = report.lines().stream().map(CaseReport.Line::what).toList();
        assertTrue(what.containsAll(List.of("y", "forward.x_hat", "forward.likelihoods.y", "forward.likelihoods.z",
                "compress.strings[0][0]", "compress.strings[1][0]", "decompress.x_hat")), what.toString());

        // The project's weights file: the recorded state dict, then with one value changed.
        Path weights = dir.resolve("w.safetensors");
        Files.copy(recorded.resolve("state_dict.safetensors"), weights);
        List<DynamicTest> tests = GoldenCases.of(dir, new CheckAgainst(null, weights)).toList();
        assertEquals(1, tests.size());
        tests.get(0).getExecutable().execute();

        Map<String, Tensor> changed = new LinkedHashMap<>(SafeTensors.read(weights));
        float[] w = changed.get("g_s.2.weight").toFloats();
        w[5] += 0.01f;
        changed.put("g_s.2.weight", Tensor.ofFloats(w, changed.get("g_s.2.weight").shape()));
        // Written beside and renamed over: the tensors just read map the old file, which must not shrink under them.
        Path next = dir.resolve("w.next.safetensors");
        try (OutputStream os = Files.newOutputStream(next)) {
            SafeTensors.write(changed, os);
        }
        Files.move(next, weights, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> GoldenCases.of(dir, new CheckAgainst(null, weights)).toList().get(0).getExecutable().execute());
        assertTrue(e.getMessage().contains("g_s.2.weight") && e.getMessage().contains("1 tensor(s) differ"), e.getMessage());
    }

    @Test
    void aRecordedCaseCarriesItsMarginsAndTheCheckComparesThem(@TempDir Path dir) throws Exception {
        Path recorded = CaseRecorder.record("bmshj2018-hyperprior", TINY, null, 5, 64, 64, dir.resolve("case"));
        ObjectMapper json = new ObjectMapper();
        ObjectNode meta = (ObjectNode) json.readTree(recorded.resolve("case.json").toFile());
        JsonNode values = meta.path("margins").path("values");
        for (String key : List.of("compress:entropy_bottleneck:round_half_distance", "compress:gaussian_conditional:round_half_distance",
                "compress:gaussian_conditional:scale_table_rel_distance", "decompress:gaussian_conditional:scale_table_rel_distance")) {
            assertTrue(values.path(key).isNumber(), key + " in " + values);
        }
        // The scale hyperprior rounds y itself (no means): its margin is the least |frac(y) - 0.5| of the recorded y.
        double least = Double.POSITIVE_INFINITY;
        for (float v : SafeTensors.read(recorded.resolve("tensors.safetensors")).get("y").toFloats()) {
            least = Math.min(least, Math.abs(v - Math.floor(v) - 0.5));
        }
        assertEquals(least, values.path("compress:gaussian_conditional:round_half_distance").asDouble(), 0.0);

        CaseReport report = CheckRunner.check(recorded);
        assertTrue(report.passed(), report.lines().toString());
        assertTrue(report.lines().stream().anyMatch(l -> l.what().equals("compress.margins") && l.detail().startsWith("3 compared")),
                report.lines().toString());
        assertTrue(report.lines().stream().anyMatch(l -> l.what().equals("decompress.margins") && l.detail().startsWith("1 compared")),
                report.lines().toString());

        // A margin that no longer holds (as after a change that moved y) fails, naming it.
        ((ObjectNode) values).put("compress:gaussian_conditional:round_half_distance", least + 0.01);
        json.writeValue(recorded.resolve("case.json").toFile(), meta);
        CaseReport moved = CheckRunner.check(recorded);
        assertTrue(!moved.passed(), moved.lines().toString());
        assertTrue(moved.lines().stream().anyMatch(l -> l.what().equals("compress.margins") && l.status() == CaseReport.Status.FAIL
                && l.detail().startsWith("gaussian_conditional:round_half_distance")), moved.lines().toString());
    }

    @Test
    void anAutoregressiveCaseRecordsTheMarginsOfItsPerPositionCoding(@TempDir Path dir) throws Exception {
        Path recorded = CaseRecorder.record("mbt2018", TINY, null, 2, 64, 64, dir.resolve("case"));
        JsonNode values = new ObjectMapper().readTree(recorded.resolve("case.json").toFile()).path("margins").path("values");
        for (String key : List.of("compress:gaussian_conditional:round_half_distance", "compress:gaussian_conditional:scale_table_rel_distance",
                "decompress:gaussian_conditional:scale_table_rel_distance")) {
            double v = values.path(key).asDouble(-1);
            assertTrue(v >= 0 && v <= 0.5, key + " in " + values);
        }
        CaseReport report = CheckRunner.check(recorded);
        assertTrue(report.passed(), report.lines().toString());
    }

    @Test
    void aVariableRateAutoregressiveCaseRecordsTheRoundingMarginOfItsScan(@TempDir Path dir) throws Exception {
        Path recorded = CaseRecorder.record("mbt2018-vbr", TINY, null, 2, 64, 64, dir.resolve("case"));
        JsonNode values = new ObjectMapper().readTree(recorded.resolve("case.json").toFile()).path("margins").path("values");
        double v = values.path("compress:gaussian_conditional:round_half_distance").asDouble(-1);
        assertTrue(v >= 0 && v <= 0.5, values.toString());
        assertTrue(CheckRunner.check(recorded).passed());
    }

    @Test
    void aMixtureCaseRecordsTheRoundingMarginOfItsLatent(@TempDir Path dir) throws Exception {
        Path recorded = CaseRecorder.record("cheng2020-gmm", Map.of("N", 8), null, 4, 64, 64, dir.resolve("case"));
        JsonNode values = new ObjectMapper().readTree(recorded.resolve("case.json").toFile()).path("margins").path("values");
        // The mixture codes round(y) itself: its margin is the least |frac(y) - 0.5| of the recorded y.
        double least = Double.POSITIVE_INFINITY;
        for (float v : SafeTensors.read(recorded.resolve("tensors.safetensors")).get("y").toFloats()) {
            least = Math.min(least, Math.abs(v - Math.floor(v) - 0.5));
        }
        assertEquals(least, values.path("compress:gaussian_conditional:round_half_distance").asDouble(-1), 0.0, values.toString());
        assertTrue(CheckRunner.check(recorded).passed());
    }

    @Test
    void aPointCloudCaseRecordsItsNeighbourhoodIndicesAndAMovedOneFails(@TempDir Path dir) throws Exception {
        Map<String, Object> small = Map.of("num_points", 64, "D", List.of(0, 8, 8, 8), "P", List.of(64, 16, 4, 1),
                "S", List.of(0, 4, 4, 4), "R", List.of(0, 0.5, 0.9, 0), "E", List.of(3, 8, 8, 8, 0), "M", List.of(0, 0, 4, 4));
        Path recorded = CaseRecorder.recordPoints("sfu2024-pcc-rec-pointnet2-ssg", small, null, 2, 64, dir.resolve("case"));
        JsonNode meta = new ObjectMapper().readTree(recorded.resolve("case.json").toFile());
        assertEquals(List.of(1, 64, 3), List.of(meta.path("input").path("shape").get(0).asInt(), meta.path("input").path("shape").get(1).asInt(),
                meta.path("input").path("shape").get(2).asInt()));
        List<String> calls = new java.util.ArrayList<>();
        meta.path("neighbourhood_calls").forEach(c -> calls.add(c.path("name").asText()));
        // Two set abstractions sample and group in forward and again in compress; decompress samples nothing.
        assertEquals(List.of("forward.fps.0", "forward.ball_query.0", "forward.fps.1", "forward.ball_query.1",
                "compress.fps.0", "compress.ball_query.0", "compress.fps.1", "compress.ball_query.1"), calls);
        CaseReport report = CheckRunner.check(recorded);
        assertTrue(report.passed(), report.lines().toString());

        Map<String, Tensor> tensors = new LinkedHashMap<>(SafeTensors.read(recorded.resolve("tensors.safetensors")));
        Tensor fps = tensors.get("forward.fps.0.idx");
        int[] idx = fps.toInts();
        int was = idx[3];
        idx[3] = idx[4];
        tensors.put("forward.fps.0.idx", Tensor.ofInts(idx, fps.shape()));
        Path next = recorded.resolve("tensors.next.safetensors");
        try (OutputStream os = Files.newOutputStream(next)) {
            SafeTensors.write(tensors, os);
        }
        Files.move(next, recorded.resolve("tensors.safetensors"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CaseReport moved = CheckRunner.check(recorded);
        assertTrue(moved.lines().stream().anyMatch(l -> l.what().equals("forward.neighbourhoods") && l.status() == CaseReport.Status.FAIL
                && l.detail().startsWith("forward.fps.0.idx differs at 3 ") && l.detail().contains("(ours " + was + ",")),
                moved.lines().toString());
    }

    @Test
    void aChangedSpecFailsAgainstTheRecordedCase(@TempDir Path dir) throws Exception {
        Path recorded = CaseRecorder.record("bmshj2018-factorized", TINY, null, 3, 64, 64, dir.resolve("case"));
        // The same sizes, another architecture: its keys and numbers differ from what was recorded.
        CaseReport r = CheckRunner.check(recorded, new CheckAgainst("bmshj2018-factorized-relu", null));
        assertTrue(!r.passed(), r.lines().toString());
        assertTrue(CheckRunner.check(recorded, new CheckAgainst("bmshj2018-factorized", null)).passed());
    }

    @Test
    void everyBundledSpecWithoutACompressAiCaseHasARecordedOneThatPasses() throws Throwable {
        Path fixtures = ReferenceCase.sharedDir().resolve("fixtures");
        Path recorded = Path.of("src/test/resources/cases");
        for (String name : Tinify.specNames()) {
            if (!Files.isDirectory(fixtures.resolve(name))) {
                assertTrue(Files.isRegularFile(recorded.resolve(name).resolve("case.json")),
                        name + " has no CompressAI case: record one with tinify check --record " + name + " -o " + recorded.resolve(name));
            }
        }
        if (Files.isDirectory(recorded)) {
            for (DynamicTest t : GoldenCases.of(recorded).toList()) {
                t.getExecutable().execute();
            }
        }
    }
}
