package dev.tinify.dsl;

import dev.tinify.TinifyException;

/**
 * A problem in a spec, located: {@code file:line:column: path: problem; expected ...}.
 * The parts are available separately for tools and tests.
 */
public final class SpecException extends TinifyException {
    private static final long serialVersionUID = 1L;
    private final Location location;
    private final String path;
    private final String problem;
    private final String expected;

    public SpecException(Location location, String path, String problem, String expected) {
        super(format(location, path, problem, expected));
        this.location = location;
        this.path = path;
        this.problem = problem;
        this.expected = expected;
    }

    private static String format(Location location, String path, String problem, String expected) {
        StringBuilder sb = new StringBuilder();
        sb.append(location).append(": ");
        if (!path.isEmpty()) {
            sb.append(path).append(": ");
        }
        sb.append(problem);
        if (!expected.isEmpty()) {
            sb.append("; expected ").append(expected);
        }
        return sb.toString();
    }

    public Location location() {
        return location;
    }

    /** Module path such as {@code g_s[3]} or {@code latent_codec.hyper.h_a[2]}; empty at top level. */
    public String path() {
        return path;
    }

    public String problem() {
        return problem;
    }

    /** What would have been accepted. */
    public String expected() {
        return expected;
    }
}
