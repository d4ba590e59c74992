package dev.tinify.check;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tinify.runtime.pointcloud.Neighbourhoods;
import dev.tinify.runtime.reference.ReferenceCase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The neighbourhood operations (farthest point sampling, kNN, ball query) a model runs on this
 * thread during one phase, compared with a point-cloud case's {@code <phase>.<op>.<i>.idx}: the
 * same number of calls of each operation and every index equal.
 */
final class NeighbourhoodCalls implements AutoCloseable {
    private final Map<Neighbourhoods.Operation, List<int[]>> calls = new EnumMap<>(Neighbourhoods.Operation.class);
    private final Neighbourhoods.Listening listening;

    NeighbourhoodCalls() {
        listening = Neighbourhoods.listen((op, indices) -> calls.computeIfAbsent(op, o -> new ArrayList<>()).add(indices));
    }

    /** Reports one line for {@code phase} when the case or the model made neighbourhood calls in it. */
    void compare(ReferenceCase reference, String phase, CaseReport report) {
        Map<Neighbourhoods.Operation, Integer> expected = new EnumMap<>(Neighbourhoods.Operation.class);
        Set<String> listed = new HashSet<>();
        for (JsonNode call : reference.meta().path("neighbourhood_calls")) {
            String name = call.path("name").asText();
            for (Neighbourhoods.Operation op : Neighbourhoods.Operation.values()) {
                if (name.startsWith(phase + "." + op.word() + ".")) {
                    expected.merge(op, 1, Integer::sum);
                    if (call.path("tensors").size() > 0) {
                        listed.add(name + ".idx");
                    }
                }
            }
        }
        if (expected.isEmpty() && calls.isEmpty()) {
            return;
        }
        String what = phase + ".neighbourhoods";
        List<String> counts = new ArrayList<>();
        for (Neighbourhoods.Operation op : Neighbourhoods.Operation.values()) {
            int ours = calls.getOrDefault(op, List.of()).size();
            int theirs = expected.getOrDefault(op, 0);
            if (ours != theirs) {
                report.fail(what, ours + " " + op.word() + " call(s), the case has " + theirs);
                return;
            }
            if (ours > 0) {
                counts.add(op.word() + " " + ours);
            }
        }
        int compared = 0;
        for (Map.Entry<Neighbourhoods.Operation, List<int[]>> e : calls.entrySet()) {
            for (int i = 0; i < e.getValue().size(); i++) {
                String name = phase + "." + e.getKey().word() + "." + i + ".idx";
                // A case may list a call without its indices (CompressAI's decompress repeats forward's decoder calls).
                if (!listed.contains(name)) {
                    continue;
                }
                compared++;
                int[] theirs = reference.tensor(name).toInts();
                int[] ours = e.getValue().get(i);
                if (!Arrays.equals(ours, theirs)) {
                    int at = Arrays.mismatch(ours, theirs);
                    report.fail(what, name + " differs at " + at + " of " + theirs.length + " (ours "
                            + (at < ours.length ? ours[at] : "none") + ", case " + (at < theirs.length ? theirs[at] : "none") + ")");
                    return;
                }
            }
        }
        int all = counts.isEmpty() ? 0 : calls.values().stream().mapToInt(List::size).sum();
        report.pass(what, String.join(", ", counts) + (compared == all ? ": every index equal"
                : compared == 0 ? ": calls as the case's (it lists no indices)" : ": every listed index equal (" + compared + " of " + all + ")"));
    }

    @Override
    public void close() {
        listening.close();
    }
}
