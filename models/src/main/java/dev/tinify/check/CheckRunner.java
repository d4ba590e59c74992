package dev.tinify.check;

import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Runs reference cases laid out as CompressAI fixtures (a folder per case with {@code case.json})
 * and prints one block per case and the total line {@code N passed, M failed}.
 */
public final class CheckRunner {
    private final PrintStream out;
    private final CheckAgainst against;
    private int passed;
    private int failed;

    public CheckRunner(PrintStream out) {
        this(out, CheckAgainst.RECORDED);
    }

    /** A runner that checks model cases {@code against} a spec and weights. */
    public CheckRunner(PrintStream out, CheckAgainst against) {
        this.out = out;
        this.against = against;
    }

    /**
     * The cases named by {@code paths}: a folder with {@code case.json} is a case; a checkpoint set
     * (a folder whose {@code index.json} lists PyTorch checkpoint files) stands for each file it
     * lists ({@link CheckpointCase}); any other folder stands for the cases directly inside it
     * (sorted by name).
     *
     * @throws IllegalArgumentException if a path is missing or holds no case
     */
    public static List<Path> expand(List<Path> paths) {
        List<Path> cases = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isRegularFile(p.resolve("case.json"))) {
                cases.add(p);
                continue;
            }
            List<Path> checkpoints = CheckpointCase.files(p);
            if (!checkpoints.isEmpty()) {
                cases.addAll(checkpoints);
                continue;
            }
            if (!Files.isDirectory(p)) {
                throw new IllegalArgumentException(p + ": no such folder");
            }
            List<Path> inside;
            try (Stream<Path> s = Files.list(p)) {
                inside = s.filter(d -> Files.isRegularFile(d.resolve("case.json"))).sorted().toList();
            } catch (IOException e) {
                throw new UncheckedIOException(p + ": cannot list folder", e);
            }
            if (inside.isEmpty()) {
                throw new IllegalArgumentException(p + ": neither a reference case (no case.json) nor a folder of cases");
            }
            cases.addAll(inside);
        }
        return cases;
    }

    /** Runs every case; returns true when all passed. */
    public boolean run(List<Path> caseDirs) {
        for (Path dir : caseDirs) {
            report(check(dir, against));
        }
        out.println(passed + " passed, " + failed + " failed");
        return failed == 0;
    }

    /** Runs the planned checks of one case (a case folder or a checkpoint file); an exception fails the case with its message. */
    public static CaseReport check(Path dir) {
        return check(dir, CheckAgainst.RECORDED);
    }

    /** As {@link #check(Path)}, model cases checked {@code against} a spec and weights. */
    public static CaseReport check(Path dir, CheckAgainst against) {
        if (Files.isRegularFile(dir)) {
            return CheckpointCase.check(dir);
        }
        CaseReport report;
        ReferenceCase reference;
        try {
            reference = ReferenceCase.open(dir);
        } catch (IOException | RuntimeException e) {
            report = new CaseReport(String.valueOf(dir.getFileName()));
            report.fail("case.json", message(e));
            return report;
        }
        report = new CaseReport(reference.name());
        for (CaseCheck c : CheckPlan.forCase(reference, against)) {
            try {
                c.run(reference, report);
            } catch (Exception | LinkageError e) {
                report.fail("error", message(e));
                break;
            }
        }
        return report;
    }

    private void report(CaseReport r) {
        boolean ok = r.passed();
        out.println(r.caseName() + ": " + (ok ? "passed" : "FAILED"));
        for (CaseReport.Line l : r.lines()) {
            String tag = switch (l.status()) {
                case PASS -> "ok";
                case FAIL -> "FAIL";
                case EXCUSED -> "excused";
            };
            out.println(String.format(Locale.ROOT, "  %-8s %-36s %s", tag, l.what(), l.detail()));
        }
        if (ok) {
            passed++;
        } else {
            failed++;
        }
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
    }
}
