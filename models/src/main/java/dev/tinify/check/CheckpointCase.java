package dev.tinify.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tinify.Tinify;
import dev.tinify.runtime.checkpoint.CompressAiKeys;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.checkpoint.WeightsFile;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A PyTorch checkpoint file of a checkpoint set (a folder with {@code index.json}, as
 * {@code fixtures/checkpoints/}), checked against what its index entry says it must give:
 * {@code equal} (the state dict of the reference case it was saved from, every tensor bit for bit,
 * after CompressAI's key renames), {@code equal-after-update} (the same once the empty CDF tables
 * of a checkpoint saved before {@code update()} are computed) or {@code refused} (a one-line error;
 * the file named by the entry's {@code marker}, which the payload would create, never appears).
 */
final class CheckpointCase {
    /** The name of a checkpoint set's index. */
    static final String INDEX = "index.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private CheckpointCase() {}

    /** The checkpoint files an index lists, in its order; empty if {@code dir} is not a checkpoint set. */
    static List<Path> files(Path dir) {
        JsonNode index = index(dir);
        List<Path> out = new ArrayList<>();
        for (JsonNode f : index.path("files")) {
            String name = f.path("file").asText("");
            if (!name.isEmpty() && !name.contains("/") && !name.contains("\\") && !name.startsWith(".")) {
                out.add(dir.resolve(name));
            }
        }
        return out;
    }

    private static JsonNode index(Path dir) {
        Path index = dir.resolve(INDEX);
        if (!Files.isRegularFile(index)) {
            return JSON.missingNode();
        }
        try {
            return JSON.readTree(index.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(index + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    /** Checks one checkpoint file of a set. */
    static CaseReport check(Path file) {
        String name = String.valueOf(file.getFileName());
        CaseReport report = new CaseReport(name);
        JsonNode entry = null;
        for (JsonNode f : index(file.getParent()).path("files")) {
            if (name.equals(f.path("file").asText())) {
                entry = f;
            }
        }
        if (entry == null) {
            report.fail("index", "no entry for " + name + " in " + file.getParent().resolve(INDEX));
            return report;
        }
        String expect = entry.path("expect").asText();
        Path marker = Path.of(entry.path("marker").asText("tinify-pwned-marker"));
        boolean markerBefore = Files.exists(marker);
        try {
            switch (expect) {
                case "refused" -> refused(file, entry, report);
                case "equal" -> equal(file, reference(file, entry), report);
                case "equal-after-update" -> equalAfterUpdate(file, reference(file, entry), report);
                default -> report.fail("expect", "unknown expectation '" + expect + "'");
            }
        } catch (IOException | RuntimeException e) {
            report.fail(expect, e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        if (!markerBefore && Files.exists(marker)) {
            report.fail("marker", marker.toAbsolutePath() + " appeared: something in the file was executed");
        }
        return report;
    }

    /** The reference case a checkpoint was saved from: a sibling folder of the checkpoint set. */
    private static ReferenceCase reference(Path file, JsonNode entry) throws IOException {
        String caseName = entry.path("case").asText("");
        if (caseName.isEmpty() || caseName.contains("/") || caseName.contains("\\") || caseName.startsWith(".")) {
            throw new IllegalArgumentException("index entry has no usable case name: '" + caseName + "'");
        }
        return ReferenceCase.open(file.toAbsolutePath().getParent().getParent().resolve(caseName));
    }

    private static void refused(Path file, JsonNode entry, CaseReport report) {
        try {
            Map<String, Tensor> loaded = WeightsFile.read(file);
            report.fail("refused", "loaded " + loaded.size() + " tensors; expected a refusal (" + entry.path("why").asText() + ")");
        } catch (IOException | RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("\n") || !message.contains(file.toString())) {
                report.fail("refused", "refused, but the message is not one line naming the file: " + message);
            } else {
                report.pass("refused", message);
            }
        }
    }

    private static void equal(Path file, ReferenceCase reference, CaseReport report) throws IOException {
        Map<String, Tensor> expected = reference.stateDict();
        Map<String, Tensor> loaded = CompressAiKeys.rename(WeightsFile.read(file), expected::containsKey);
        compare(loaded, expected, reference, report);
    }

    private static void equalAfterUpdate(Path file, ReferenceCase reference, CaseReport report) throws IOException {
        List<String> notices = new ArrayList<>();
        try (CompressionModel model = Tinify.build(Tinify.bundledSpec(ModelChecks.architecture(reference)), ModelChecks.parameters(reference))) {
            Tinify.load(model, file, notices::add);
            if (notices.isEmpty()) {
                report.fail("update", "the checkpoint had no empty CDF tables to compute");
            } else {
                report.pass("update", notices.get(0).substring(notices.get(0).indexOf(": ") + 2));
            }
            compare(StateDicts.save(model, StateDicts.Precision.FULL), reference.stateDict(), reference, report);
        }
    }

    /** Same keys, and every tensor of the same dtype, shape and bytes. */
    private static void compare(Map<String, Tensor> ours, Map<String, Tensor> expected, ReferenceCase reference, CaseReport report) {
        ModelChecks.compareKeys("state_dict keys", ours.keySet(), expected.keySet(), report);
        List<String> differing = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : expected.entrySet()) {
            Tensor t = ours.get(e.getKey());
            if (t != null && !same(t, e.getValue())) {
                differing.add(e.getKey() + " (" + t.dtype() + Arrays.toString(t.shape()) + ", " + reference.name() + " has "
                        + e.getValue().dtype() + Arrays.toString(e.getValue().shape()) + ")");
            }
        }
        if (differing.isEmpty()) {
            report.pass("state_dict values", expected.size() + " tensors of " + reference.name() + " bit for bit");
        } else {
            report.fail("state_dict values", differing.size() + " tensors differ, first " + differing.get(0));
        }
    }

    private static boolean same(Tensor a, Tensor b) {
        return a.dtype() == b.dtype() && Arrays.equals(a.shape(), b.shape()) && a.data().duplicate().rewind().equals(b.data().duplicate().rewind());
    }
}
