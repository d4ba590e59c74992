package dev.tinify.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Specs written to exhaust the stack, the heap or the clock, and specs whose mistakes used to get
 * misleading messages: each is one located {@link SpecException} saying what was expected.
 */
class HostileSpecTest {
    private static final String FILE = "h.yaml";
    private static final String BASE = SmallSpecs.BASE;

    private static SpecException fails(String from, String to) {
        return SmallSpecs.fails(FILE, from, to);
    }

    /** A param whose value is {@code expr}, quoted for YAML. */
    private static SpecException param(String expr) {
        return fails("params: {N: 8, M: 12}", "params: {N: 8, M: 12, X: '" + expr + "'}");
    }

    private static void deep(SpecException e) {
        assertEquals(3, e.location().line(), e.getMessage());
        assertTrue(e.problem().contains("nested more than " + SpecLimits.MAX_EXPRESSION_DEPTH + " levels deep"), e.getMessage());
    }

    @Test
    void deepExpressionsAreLocatedErrorsNotStackOverflows() {
        deep(param("(".repeat(5000) + "1" + ")".repeat(5000)));
        deep(param("N+".repeat(7000) + "N"));
        deep(param("-".repeat(10000) + "N"));
        deep(param("max(".repeat(3000) + "1" + ")".repeat(3000)));
        deep(param("[".repeat(5000) + "]".repeat(5000)));
        deep(param("N" + "[0]".repeat(5000)));
    }

    @Test
    void longExpressionsAreRefusedBeforeParsing() {
        SpecException e = param("N+".repeat(10_000) + "N");
        assertTrue(e.problem().contains("expression of 20001 characters"), e.getMessage());
        assertTrue(e.expected().contains("at most " + SpecLimits.MAX_EXPRESSION_CHARS + " characters"), e.getMessage());
    }

    @Test
    void integerArithmeticIsChecked() {
        SpecException e = param("N" + "*N".repeat(40));
        assertTrue(e.problem().contains("integer overflow in"), e.getMessage());
        assertEquals("params.X", e.path());
        assertTrue(param("int(1e300)").problem().contains("does not fit an integer"));
        assertTrue(param("-9223372036854775807 - 2").problem().contains("integer overflow"));
    }

    @Test
    void listsCannotDoubleWithoutBound() {
        StringBuilder params = new StringBuilder("params: {N: 8, M: 12, L0: [1, 2, 3, 4]");
        for (int i = 1; i <= 20; i++) {
            params.append(", L").append(i).append(": 'L").append(i - 1).append(" + L").append(i - 1).append("'");
        }
        SpecException e = fails("params: {N: 8, M: 12}", params + "}");
        assertTrue(e.problem().contains("list of 8192 items") && e.expected().contains("at most 4096 items"), e.getMessage());
    }

    @Test
    void longParamChainsAreBounded() {
        // Each param refers to the next one, so resolving the first follows the whole chain.
        StringBuilder params = new StringBuilder("params: {N: 8, M: 12");
        for (int i = 0; i < 5000; i++) {
            params.append(", P").append(i).append(": P").append(i + 1).append(" + 1");
        }
        params.append(", P5000: 1");
        SpecException e = fails("params: {N: 8, M: 12}", params + "}");
        assertTrue(e.problem().contains("params refer to one another more than"), e.getMessage());
    }

    @Test
    void aReferenceCycleIsCalledACycle() {
        SpecException self = fails("    - igdn(N)", "    - $g_s");
        assertTrue(self.problem().contains("reference cycle: module 'g_s' refers to itself"), self.getMessage());
        assertTrue(!self.getMessage().contains("did you mean"), self.getMessage());
        SpecException later = fails("    - gdn(N)", "    - $g_s");
        assertTrue(later.problem().contains("module '$g_s' is declared after 'g_a'"), later.getMessage());
    }

    @Test
    void specNamesAreNamesNotPathsOrControlCharacters() {
        for (String name : new String[] {"''", "../../etc/evil", "\"a\\u0001b\"", "/abs", "a b", "x".repeat(65)}) {
            SpecException e = fails("name: t", "name: " + name);
            assertEquals(2, e.location().line(), e.getMessage());
            assertTrue(e.problem().startsWith("bad spec name"), e.getMessage());
            assertTrue(e.getMessage().chars().noneMatch(c -> c < 0x20), "no control character in the message");
        }
        assertThrows(SpecException.class, () -> Spec.builder("../x").build().resolve(Map.of()));
    }

    @Test
    void aSecondYamlDocumentIsRefused() {
        SpecException e = assertThrows(SpecException.class, () -> SpecReader.read(FILE, BASE + "---\nname: other\n"));
        assertTrue(e.problem().contains("a second YAML document"), e.getMessage());
        assertEquals(16, e.location().line(), e.getMessage());
    }

    @Test
    void oversizedSpecsAreRefusedBeforeParsing(@TempDir Path dir) throws Exception {
        String line = "# " + "x".repeat(4 << 20);
        SpecException text = assertThrows(SpecException.class, () -> SpecReader.read(FILE, BASE + line));
        assertTrue(text.problem().contains("more than " + SpecLimits.MAX_SPEC_BYTES), text.getMessage());
        Path big = dir.resolve("big.yaml");
        Files.writeString(big, BASE + line);
        SpecException file = assertThrows(SpecException.class, () -> SpecReader.read(big));
        assertTrue(file.problem().contains("the file has " + Files.size(big) + " bytes"), file.getMessage());
    }

    @Test
    void aHugeDownsamplingFactorIsRefused() {
        SpecException e = fails("    - conv(N, M, 5, 2)", "    - conv(N, M, 5, 2)\n" + "    - conv(M, M, 3, 1048576)");
        assertTrue(e.problem().contains("downsampling factor"), e.getMessage());
    }
}
