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

    /** Records whether two byte strings (bitstreams) are identical, naming the first differing byte. */
    public void compareBytes(String what, byte[] ours, byte[] reference) {
        int n = Math.min(ours.length, reference.length);
        for (int i = 0; i < n; i++) {
            if (ours[i] != reference[i]) {
                fail(what, "first difference at byte " + i + " of " + reference.length);
                return;
            }
        }
        if (ours.length != reference.length) {
            fail(what, ours.length + " bytes, reference has " + reference.length);
        } else {
            pass(what, reference.length + " bytes identical");
        }
    }

    /** Records whether two integer arrays (symbols, CDFs) are equal, naming the first difference. */
    public void compareInts(String what, int[] ours, int[] reference) {
        if (ours.length != reference.length) {
            fail(what, ours.length + " values, reference has " + reference.length);
            return;
        }
        for (int i = 0; i < ours.length; i++) {
            if (ours[i] != reference[i]) {
                fail(what, "value " + i + " is " + ours[i] + ", reference " + reference[i]);
                return;
            }
        }
        pass(what, reference.length + " values equal");
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
