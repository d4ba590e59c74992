package dev.tinify.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The small valid spec the error tests break one way at a time, and their assertions. */
final class SmallSpecs {
    /** A factorized model; line numbers in the comments. */
    static final String BASE = String.join("\n",
            "tinify: 1",                                                 // 1
            "name: t",                                                   // 2
            "params: {N: 8, M: 12}",                                     // 3
            "modules:",                                                  // 4
            "  g_a:",                                                    // 5
            "    - conv(3, N, 5, 2)",                                    // 6
            "    - gdn(N)",                                              // 7
            "    - conv(N, M, 5, 2)",                                    // 8
            "  g_s:",                                                    // 9
            "    - deconv(M, N, 5, 2)",                                  // 10
            "    - igdn(N)",                                             // 11
            "    - deconv(N, 3, 5, 2)",                                  // 12
            "  entropy_bottleneck: entropy_bottleneck(M)",               // 13
            "latent_codec: entropy_bottleneck($entropy_bottleneck)",     // 14
            "");

    private SmallSpecs() {}

    /** Reading {@link #BASE} with {@code from} replaced by {@code to} fails. */
    static SpecException fails(String file, String from, String to) {
        String text = BASE.replace(from, to);
        assertTrue(!text.equals(BASE), "the replacement applies");
        return assertThrows(SpecException.class, () -> SpecReader.read(file, text));
    }

    /** {@code e} is located at {@code file:line:column} and module {@code path}, and says {@code problem} and {@code expected}. */
    static void at(SpecException e, String file, int line, int column, String path, String problem, String expected) {
        assertEquals(new Location(file, line, column), e.location(), e.getMessage());
        assertEquals(path, e.path(), e.getMessage());
        assertTrue(e.problem().contains(problem), () -> "problem: " + e.getMessage());
        assertTrue(e.expected().contains(expected), () -> "expected: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ":" + line + ":" + column + ": "), e.getMessage());
    }
}
