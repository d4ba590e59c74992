package dev.tinify.check;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.DynamicTest;

/**
 * JUnit 5 entry point for golden cases: one dynamic test per case, so that a project's own Maven
 * build checks its recorded cases (and CompressAI's, and checkpoint sets) as {@code tinify check}
 * does. A failing test's message lists every failed comparison.
 *
 * <pre>{@code
 * @TestFactory
 * Stream<DynamicTest> goldenCases() {
 *     return GoldenCases.of(Path.of("src/test/resources/cases"),
 *             new CheckAgainst("my-model.yaml", Path.of("weights/my-model.safetensors")));
 * }
 * }</pre>
 *
 * <p>Needs {@code junit-jupiter-api} on the test class path (the project's own JUnit dependency).
 */
public final class GoldenCases {
    private GoldenCases() {}

    /** One test per case under {@code paths} (case folders, folders of cases, checkpoint sets). */
    public static Stream<DynamicTest> of(Path... paths) {
        return of(List.of(paths), CheckAgainst.RECORDED);
    }

    /**
     * One test per case under {@code dir}, each model case checked {@code against} the project's
     * current spec and weights: the model is built from that spec (not the text the case recorded),
     * and the weights file must still equal the recorded state dict (differing tensors are named).
     */
    public static Stream<DynamicTest> of(Path dir, CheckAgainst against) {
        return of(List.of(dir), against);
    }

    private static Stream<DynamicTest> of(List<Path> paths, CheckAgainst against) {
        return CheckRunner.expand(paths).stream().map(c -> DynamicTest.dynamicTest(String.valueOf(c.getFileName()), c.toUri(), () -> {
            CaseReport r = CheckRunner.check(c, against);
            if (!r.passed()) {
                Assertions.fail(r.caseName() + ": " + r.lines().stream().filter(l -> l.status() == CaseReport.Status.FAIL)
                        .map(l -> l.what() + ": " + l.detail()).collect(Collectors.joining("; ")));
            }
        }));
    }
}
