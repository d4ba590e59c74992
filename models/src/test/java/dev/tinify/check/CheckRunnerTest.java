package dev.tinify.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.runtime.reference.ReferenceCase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Expanding case folders, and the report and total line of a check run. */
class CheckRunnerTest {
    private static final Path FIXTURES = ReferenceCase.sharedDir().resolve("fixtures");

    @Test
    void parentFolderExpandsToEveryCaseInside() throws IOException {
        List<Path> expected;
        try (Stream<Path> s = Files.list(FIXTURES)) {
            expected = s.filter(d -> Files.exists(d.resolve("case.json"))).sorted().toList();
        }
        assertFalse(expected.isEmpty());
        assertEquals(expected, CheckRunner.expand(List.of(FIXTURES)));
        Path one = FIXTURES.resolve("unit-gdn");
        assertEquals(List.of(one), CheckRunner.expand(List.of(one)));
    }

    @Test
    void folderWithoutCasesIsAnError(@TempDir Path empty) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CheckRunner.expand(List.of(empty)));
        assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CheckRunner.expand(List.of(empty.resolve("missing"))));
    }

    @Test
    void damagedCaseFailsWithItsReasonAndCountsInTheTotal(@TempDir Path dir) throws IOException {
        Path broken = Files.createDirectory(dir.resolve("broken"));
        Files.writeString(broken.resolve("case.json"), "{ not json");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        boolean ok = new CheckRunner(new PrintStream(buf, true, StandardCharsets.UTF_8)).run(List.of(broken));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertFalse(ok);
        assertTrue(out.contains("FAIL"), out);
        List<String> lines = out.lines().toList();
        assertEquals("0 passed, 1 failed", lines.get(lines.size() - 1));
    }

    @Test
    void modelCaseWithBundledSpecPasses() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        boolean ok = new CheckRunner(new PrintStream(buf, true, StandardCharsets.UTF_8))
                .run(List.of(FIXTURES.resolve("bmshj2018-hyperprior")));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(ok, out);
        assertTrue(out.contains("forward.likelihoods.z"), out);
        assertTrue(out.strip().endsWith("1 passed, 0 failed"), out);
    }

    @Test
    void spectralQreluAndGaussianMixtureUnitCasesPass() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        boolean ok = new CheckRunner(new PrintStream(buf, true, StandardCharsets.UTF_8))
                .run(List.of(FIXTURES.resolve("unit-spectral-qrelu"), FIXTURES.resolve("unit-gaussian-mixture-conditional")));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(ok, out);
        for (String line : List.of("conv.grad.weight_transformed", "deconv.out", "qrelu.grad_in", "compress.cdf",
                "compress.strings[0]", "decompress.y_hat")) {
            assertTrue(out.contains(line), line + " in\n" + out);
        }
        assertTrue(out.strip().endsWith("2 passed, 0 failed"), out);
    }

    @Test
    void videoCasePassesFrameByFrame() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        boolean ok = new CheckRunner(new PrintStream(buf, true, StandardCharsets.UTF_8)).run(List.of(FIXTURES.resolve("ssf2020")));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(ok, out);
        assertTrue(out.contains("compress 2 residual y"), out);
        assertTrue(out.contains("decompress.x_hat.2"), out);
        assertTrue(out.strip().endsWith("1 passed, 0 failed"), out);
    }
}
