package dev.tinify.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * What the checks of one reference case found: one line per comparison, each passed, failed or
 * excused. An excuse is a named, visible exception (a symbol CompressAI itself rounded within
 * float noise of a boundary, see {@code margins} in {@code case.json}); nothing is skipped silently.
 */
public final class CaseReport {
    /** Outcome of one comparison. */
    public enum Status { PASS, FAIL, EXCUSED }

    /** One comparison: what was compared, its outcome and the numbers behind it. */
    public record Line(String what, Status status, String detail) {}

    private final String caseName;
    private final List<Line> lines = new ArrayList<>();

    public CaseReport(String caseName) {
        this.caseName = caseName;
    }

    public String caseName() {
        return caseName;
    }

    public List<Line> lines() {
        return Collections.unmodifiableList(lines);
    }

    public void pass(String what, String detail) {
        lines.add(new Line(what, Status.PASS, detail));
    }

    public void fail(String what, String detail) {
        lines.add(new Line(what, Status.FAIL, detail));
    }

    public void excuse(String what, String reason) {
        lines.add(new Line(what, Status.EXCUSED, reason));
    }

    /**
     * Records the maximum absolute difference of two equally long float arrays against
     * {@code tolerance}; a length mismatch or a non-finite value fails.
     */
    public void compare(String what, float[] ours, float[] reference, double tolerance) {
        if (ours.length != reference.length) {
            fail(what, "element count " + ours.length + ", reference has " + reference.length);
            return;
        }
        double max = 0;
        for (int i = 0; i < ours.length; i++) {
            double d = Math.abs((double) ours[i] - reference[i]);
            if (!(d <= max)) {
                max = d; // NaN propagates, so a NaN output fails below
            }
        }
        String detail = String.format(Locale.ROOT, "max|err| %.3e (tol %.0e)", max, tolerance);
        if (max <= tolerance) {
            pass(what, detail);
        } else {
            fail(what, detail);
        }
    }

    /** Passed when at least one comparison passed and none failed. */
    public boolean passed() {
        boolean any = false;
        for (Line l : lines) {
            if (l.status() == Status.FAIL) {
                return false;
            }
            any |= l.status() == Status.PASS;
        }
        return any;
    }
}
