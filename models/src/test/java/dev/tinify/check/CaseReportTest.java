package dev.tinify.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A case passes only when something was compared and nothing failed; excuses are visible. */
class CaseReportTest {
    @Test
    void toleranceIsInclusiveAndNaNFails() {
        CaseReport r = new CaseReport("c");
        r.compare("exact", new float[] {1f, 2f}, new float[] {1f, 2f}, 0);
        assertTrue(r.passed());
        r.compare("nan", new float[] {Float.NaN}, new float[] {0f}, 1);
        assertFalse(r.passed());
        assertEquals(CaseReport.Status.FAIL, r.lines().get(1).status());
    }

    @Test
    void errorAboveToleranceAndLengthMismatchFail() {
        CaseReport r = new CaseReport("c");
        r.compare("big", new float[] {0f, 0.5f}, new float[] {0f, 0.25f}, 0.2);
        r.compare("len", new float[] {0f}, new float[] {0f, 0f}, 1);
        assertEquals(CaseReport.Status.FAIL, r.lines().get(0).status());
        assertTrue(r.lines().get(0).detail().contains("2.500e-01"), r.lines().get(0).detail());
        assertEquals(CaseReport.Status.FAIL, r.lines().get(1).status());
    }

    @Test
    void emptyOrOnlyExcusedIsNotAPass() {
        CaseReport r = new CaseReport("c");
        assertFalse(r.passed());
        r.excuse("symbol 17", "CompressAI rounded 2e-6 from a half");
        assertFalse(r.passed());
        r.pass("x", "ok");
        assertTrue(r.passed());
    }
}
