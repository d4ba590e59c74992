package dev.tinify.dsl;

/**
 * A position in a spec source: file name (or {@code <name built in code>}), 1-based line and
 * column; line 0 when the spec was not read from text.
 */
public record Location(String file, int line, int column) {
    /** The position used for specs that were not read from text. */
    public static final Location NONE = new Location("<builder>", 0, 0);

    /** The same file and line, {@code delta} columns further. */
    public Location shift(int delta) {
        return new Location(file, line, column + delta);
    }

    @Override
    public String toString() {
        return line == 0 ? file : file + ":" + line + ":" + column;
    }
}
