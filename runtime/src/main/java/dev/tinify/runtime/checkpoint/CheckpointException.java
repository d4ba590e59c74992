package dev.tinify.runtime.checkpoint;

import dev.tinify.TinifyException;

import java.util.List;

/**
 * A state dict that does not fit a module: every missing, unexpected and mismatched key is
 * listed, so that one error shows the whole difference.
 */
public final class CheckpointException extends TinifyException {
    private static final long serialVersionUID = 1L;
    private static final int SHOWN = 20;

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

    private static String message(String what, List<String> missing, List<String> unexpected, List<String> mismatched) {
        StringBuilder sb = new StringBuilder("cannot load ").append(what).append(':');
        section(sb, "missing", missing);
        section(sb, "unexpected", unexpected);
        section(sb, "mismatched", mismatched);
        return sb.toString();
    }

    private static void section(StringBuilder sb, String name, List<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        sb.append("\n  ").append(keys.size()).append(' ').append(name).append(" key(s):");
        keys.stream().limit(SHOWN).forEach(k -> sb.append("\n    ").append(k));
        if (keys.size() > SHOWN) {
            sb.append("\n    ... and ").append(keys.size() - SHOWN).append(" more");
        }
    }
}
