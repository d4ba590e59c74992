package dev.tinify.check;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tinify.runtime.reference.ReferenceCase;
import java.util.ArrayList;
import java.util.List;

/**
 * The one rule for integers that Tinify may hand the entropy coder differently from CompressAI
 * (used by {@code tinify check} and the bitstream parity tests alike). A float32 re-implementation
 * can round a value that CompressAI itself put within float noise of a decision boundary to the
 * other side. In one coder call at most {@link #MAX_PER_CALL} symbols or table indexes may differ,
 * each by exactly one, and only where the case's {@code margins} show CompressAI closer than
 * {@link #MARGIN_NOISE} to that kind of boundary ({@code round_half_distance} for symbols,
 * {@code scale_table_rel_distance} for table indexes). Anything else is a defect.
 */
public final class ExcusedFlips {
    /** Below this, a margin in {@code case.json} is within float32 noise of a rounding or scale-table boundary. */
    public static final double MARGIN_NOISE = 1e-5;
    /** At most this many differences per coder call may be excused. */
    public static final int MAX_PER_CALL = 2;

    private ExcusedFlips() {}

    /** One coded integer that differs from CompressAI's. */
    public record Difference(String kind, int position, int ours, int theirs, double margin) {
        @Override
        public String toString() {
            return kind + " " + position + " is " + ours + ", CompressAI " + theirs + " (its margin " + margin + ")";
        }
    }

    /** The differences of one coder call and whether the rule excuses them. */
    public record Verdict(List<Difference> differences, boolean excused, String detail) {
        /** Whether every symbol and index equals CompressAI's. */
        public boolean equal() {
            return differences.isEmpty() && detail.isEmpty();
        }
    }

    /**
     * Judges one coder call of entropy model {@code model} (its state-dict path; a tag such as
     * {@code "(autoregressive)"} is ignored) in {@code phase} ({@code "compress"} or
     * {@code "decompress"}: the margins of that phase, else of compress).
     */
    public static Verdict judge(ReferenceCase reference, String phase, String model, int[] ourSymbols, int[] theirSymbols,
            int[] ourIndexes, int[] theirIndexes) {
        String module = model.replaceFirst("\\(.*\\)$", "");
        if (ourSymbols.length != theirSymbols.length || ourIndexes.length != theirIndexes.length) {
            return new Verdict(List.of(), false, ourSymbols.length + " symbols and " + ourIndexes.length
                    + " indexes, CompressAI " + theirSymbols.length + " and " + theirIndexes.length);
        }
        List<Difference> diffs = new ArrayList<>();
        collect(diffs, "symbol", ourSymbols, theirSymbols, margin(reference, phase, module, "round_half_distance"));
        collect(diffs, "index", ourIndexes, theirIndexes, margin(reference, phase, module, "scale_table_rel_distance"));
        if (diffs.isEmpty()) {
            return new Verdict(diffs, false, "");
        }
        if (diffs.size() > MAX_PER_CALL) {
            return new Verdict(diffs.subList(0, MAX_PER_CALL + 1), false, "more than " + MAX_PER_CALL + " differences");
        }
        for (Difference d : diffs) {
            if (Math.abs((long) d.ours() - d.theirs()) != 1) {
                return new Verdict(diffs, false, d + ": not a one-step flip");
            }
            if (!(d.margin() < MARGIN_NOISE)) {
                return new Verdict(diffs, false, d + ": CompressAI was not within " + MARGIN_NOISE + " of the boundary");
            }
        }
        return new Verdict(diffs, true, diffs.toString());
    }

    /** Adds the differences of one list, stopping once there are more than the rule allows. */
    private static void collect(List<Difference> out, String kind, int[] ours, int[] theirs, double margin) {
        for (int i = 0; i < ours.length && out.size() <= MAX_PER_CALL; i++) {
            if (ours[i] != theirs[i]) {
                out.add(new Difference(kind, i, ours[i], theirs[i], margin));
            }
        }
    }

    /** The case's margin {@code phase:module:kind}, else {@code compress:module:kind}; infinity if neither is given. */
    static double margin(ReferenceCase reference, String phase, String module, String kind) {
        JsonNode values = reference.meta().path("margins").path("values");
        JsonNode v = values.path(phase + ":" + module + ":" + kind);
        if (!v.isNumber()) {
            v = values.path("compress:" + module + ":" + kind);
        }
        return v.isNumber() ? v.asDouble() : Double.POSITIVE_INFINITY;
    }
}
