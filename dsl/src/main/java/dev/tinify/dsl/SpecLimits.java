package dev.tinify.dsl;

import org.jspecify.annotations.Nullable;

/**
 * The bounds every spec is held to, whoever wrote it: file size, expression length and nesting,
 * list sizes, and what a spec name may be. Specs travel between people like any input, so each
 * bound turns an input that would exhaust the stack, the heap or the clock into a located error.
 */
public final class SpecLimits {
    /** Largest spec file or text, in bytes (the bundled specs are under 4 KB). */
    public static final int MAX_SPEC_BYTES = 256 * 1024;
    /** Longest expression, in characters. */
    public static final int MAX_EXPRESSION_CHARS = 16384;
    /** Deepest nesting of operators, calls, brackets and signs within one expression. */
    public static final int MAX_EXPRESSION_DEPTH = 64;
    /** Most items a list value may hold, however it was computed. */
    public static final int MAX_LIST_ITEMS = 4096;
    /** Largest product of strides (how much the analysis transforms downsample; 64 in CompressAI's models). */
    public static final long MAX_DOWNSAMPLING = 1 << 12;
    /** Longest spec name, in characters. */
    public static final int MAX_NAME_CHARS = 64;

    private SpecLimits() {}

    /**
     * Why {@code name} cannot name a spec, or null if it can: a name is 1 to
     * {@value #MAX_NAME_CHARS} letters, digits, {@code .}, {@code _} or {@code -}, starting with a
     * letter or digit, so it is never empty, never a path and never holds control characters.
     */
    public static @Nullable String nameProblem(String name) {
        if (name.isEmpty()) {
            return "the name is empty";
        }
        if (name.length() > MAX_NAME_CHARS) {
            return "the name has " + name.length() + " characters, more than " + MAX_NAME_CHARS;
        }
        if (!Character.isLetterOrDigit(name.charAt(0)) || name.charAt(0) > 127) {
            return "the name starts with '" + printable(name.charAt(0)) + "'";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-');
            if (!ok) {
                return "the name contains '" + printable(c) + "' at character " + (i + 1);
            }
        }
        return null;
    }

    /** A character as a message can show it: control and non-ASCII characters as {@code \\uXXXX}. */
    static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c);
    }
}
