package dev.tinify.check;

import dev.tinify.runtime.reference.ReferenceCase;

/**
 * One check of a reference case. A case runs a list of checks in order ({@link CheckPlan});
 * each records its comparisons in the case's report. A check that throws fails the case with
 * the exception's message.
 */
@FunctionalInterface
public interface CaseCheck {
    void run(ReferenceCase reference, CaseReport report) throws Exception;
}
