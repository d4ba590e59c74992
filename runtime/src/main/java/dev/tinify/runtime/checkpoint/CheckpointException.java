package dev.tinify.runtime.checkpoint;

import dev.tinify.TinifyException;

import java.util.List;

/**
 * A state dict that does not fit a module: the missing, unexpected and mismatched keys are named
 * (the first few of each in the one-line message, all of them in the accessors).
 */
public final class CheckpointException extends TinifyException {
    private static final long serialVersionUID = 1L;
    private static final int SHOWN = 5;

    private final List<String> missing;
    private final List<String> unexpected;
    private final List<String> mismatched;

    public CheckpointException(String what, List<String> missing, List<String> unexpected, List<String> mismatched) {
        super(message(what, missing, unexpected, mismatched));
        this.missing = List.copyOf(missing);
        this.unexpected = List.copyOf(unexpected);
        this.mismatched = List.copyOf(mismatched);
    }

    /** Keys the module has and the state dict lacks. */
    public List<String> missing() {
        return missing;
    }

    /** Keys the state dict has and the module lacks. */
    public List<String> unexpected() {
        return unexpected;
    }

    /** Keys present on both sides whose shape or dtype differ, each as {@code key: expected ..., found ...}. */
    public List<String> mismatched() {
        return mismatched;
    }

    /**
     * The difference in one line: how many keys are mismatched, missing and unexpected, and the
     * first of the first non-empty kind, e.g. {@code 0 mismatched, 1 missing, 1 unexpected keys
     * (first: g_a.5.gamma F32[64, 64])}.
     */
    public String summary() {
        List<String> first = !mismatched.isEmpty() ? mismatched : !missing.isEmpty() ? missing : unexpected;
        return mismatched.size() + " mismatched, " + missing.size() + " missing, " + unexpected.size() + " unexpected keys"
                + (first.isEmpty() ? "" : " (first: " + first.get(0) + ")");
    }

    private static String message(String what, List<String> missing, List<String> unexpected, List<String> mismatched) {
        StringBuilder sb = new StringBuilder("cannot load ").append(what).append(':');
        section(sb, "missing", missing);
        section(sb, "unexpected", unexpected);
        section(sb, "mismatched", mismatched);
        return sb.toString();
    }

    /** One section of the one-line message: {@code 2 missing: a, b;} with at most {@value #SHOWN} keys. */
    private static void section(StringBuilder sb, String name, List<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        sb.append(' ').append(keys.size()).append(' ').append(name).append(": ");
        sb.append(String.join(", ", keys.subList(0, Math.min(SHOWN, keys.size()))));
        if (keys.size() > SHOWN) {
            sb.append(" and ").append(keys.size() - SHOWN).append(" more");
        }
        sb.append(';');
    }
}
