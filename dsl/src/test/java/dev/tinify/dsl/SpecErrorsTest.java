package dev.tinify.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each kind of mistake is reported with file, line and column, the module path and what was
 * expected. Positions are counted by hand in {@link SmallSpecs#BASE}.
 */
class SpecErrorsTest {
    private static final String FILE = "t.yaml";

    private static final String BASE = SmallSpecs.BASE;

    private static SpecException fails(String from, String to) {
        return SmallSpecs.fails(FILE, from, to);
    }

    private static void at(SpecException e, int line, int column, String path, String problem, String expected) {
        SmallSpecs.at(e, FILE, line, column, path, problem, expected);
    }

    @Test
    void baseSpecIsValid() {
        Spec spec = SpecReader.read(FILE, BASE);
        assertEquals(4, spec.resolve(Map.of()).downsamplingFactor(), "two stride-2 convolutions in g_a");
    }

    @Test
    void badYamlSyntax() {
        // line 3 becomes "  bad: x" under a scalar: YAML rejects the ':' at column 6
        at(fails("name: t", "name: t\n  bad: x"), 3, 6, "", "bad YAML syntax", "well-formed YAML");
    }

    @Test
    void unknownKindSuggestsNearest() {
        at(fails("    - gdn(N)", "    - gdnn(N)"), 7, 7, "g_a[1]", "unknown layer kind 'gdnn' (did you mean 'gdn'?)", "gdn");
    }

    @Test
    void tooManyArguments() {
        // the fifth argument '1' is at column 24
        at(fails("    - gdn(N)", "    - conv(3, N, 5, 2, 1)"), 7, 24, "g_a[1]", "at most 4 arguments but 5",
                "conv(in_channels, out_channels, kernel_size=5, stride=2)");
    }

    @Test
    void wrongArgumentType() {
        at(fails("    - gdn(N)", "    - conv(N, N, 2.5, 2)"), 7, 18, "g_a[1].kernel_size", "is 2.5", "an integer");
    }

    @Test
    void unknownArgumentName() {
        at(fails("    - gdn(N)", "    - gdn(N, gama_init=0.2)"), 7, 14, "g_a[1]", "no argument 'gama_init' (did you mean 'gamma_init'?)",
                "gdn(in_channels");
    }

    @Test
    void unknownParam() {
        at(fails("    - gdn(N)", "    - gdn(K)"), 7, 11, "g_a[1].in_channels", "unknown param 'K'", "one of the params N, M");
    }

    @Test
    void unknownParamInQuotedScalarCountsTheQuote() {
        at(fails("    - gdn(N)", "    - 'gdn(K)'"), 7, 12, "g_a[1].in_channels", "unknown param 'K'", "N, M");
    }

    @Test
    void badExpression() {
        // "gdn(N*)": the ')' after '*' at column 13
        at(fails("    - gdn(N)", "    - gdn(N*)"), 7, 13, "g_a[1]", "bad expression 'gdn(N*)'", "a number, a name");
    }

    @Test
    void channelMismatchNamesBothShapes() {
        SpecException e = fails("    - gdn(N)", "    - gdn(M)");
        at(e, 7, 7, "g_a[1]", "gdn(12) takes 12 channels but g_a[0] conv(3, 8, 5, 2) produces 8", "input channels = 8");
    }

    @Test
    void channelMismatchInsideTheCodecTree() {
        String text = BASE.replace("latent_codec: entropy_bottleneck($entropy_bottleneck)", String.join("\n",
                "latent_codec:",                       // 14
                "  hyperprior:",                       // 15
                "    y: gaussian_conditional",         // 16
                "    hyper:",                          // 17
                "      hyper:",                        // 18
                "        entropy_bottleneck: $entropy_bottleneck",
                "        h_a:",                        // 20
                "          - conv(M, N, 3, 1)",        // 21
                "          - relu",                    // 22
                "          - conv(M, N)",              // 23
                "        h_s: [relu]"));
        SpecException e = assertThrows(SpecException.class, () -> SpecReader.read(FILE, text));
        at(e, 23, 13, "latent_codec.hyper.h_a[2]", "takes 12 channels but latent_codec.hyper.h_a[0] conv(12, 8, 3, 1) produces 8",
                "input channels = 8");
    }

    @Test
    void errorsInsideAFlowSequenceAreLocated() {
        // line 9 becomes "  g_s: [deconv(M, N, 5, 2), igdn(K),": 'K' at column 34
        String text = BASE.replace("  g_s:\n    - deconv(M, N, 5, 2)\n    - igdn(N)\n    - deconv(N, 3, 5, 2)",
                "  g_s: [deconv(M, N, 5, 2), igdn(K),\n        deconv(N, 3, 5, 2)]");
        SpecException e = assertThrows(SpecException.class, () -> SpecReader.read(FILE, text));
        at(e, 9, 34, "g_s[1].in_channels", "unknown param 'K'", "N, M");
        String text2 = BASE.replace("  g_s:\n    - deconv(M, N, 5, 2)\n    - igdn(N)\n    - deconv(N, 3, 5, 2)",
                "  g_s: [deconv(M, N, 5, 2), igdn(N),\n        deconv(N, 3, 5, 2, 7)]");
        // line 10: "        deconv(N, 3, 5, 2, 7)]": the fifth argument at column 28
        at(assertThrows(SpecException.class, () -> SpecReader.read(FILE, text2)), 10, 28, "g_s[2]", "at most 4 arguments", "deconv(");
    }

    @Test
    void unknownModuleReference() {
        at(fails("$entropy_bottleneck)", "$entropy_botleneck)"), 14, 34, "latent_codec.entropy_bottleneck",
                "unknown module reference '$entropy_botleneck' (did you mean '$entropy_bottleneck'?)", "$entropy_bottleneck");
    }

    @Test
    void missingRequiredSection() {
        at(fails("latent_codec: entropy_bottleneck($entropy_bottleneck)\n", ""), 1, 1, "", "missing required section 'latent_codec'",
                "'latent_codec:'");
    }

    @Test
    void duplicateName() {
        at(fails("  g_s:", "  g_a:"), 9, 3, "", "duplicate name 'g_a' (first at line 5)", "each name once");
    }

    @Test
    void badQualityTable() {
        SpecException e = fails("params: {N: 8, M: 12}", "params: {N: 8, M: 12}\nzoo:\n  qualities:\n    1: {N: 8}\n    3: {N: 9}");
        at(e, 7, 5, "zoo.qualities", "bad quality table: quality 3 where 2 belongs", "qualities numbered 1, 2, 3");
    }

    @Test
    void qualityTableWithUnknownParam() {
        SpecException e = fails("params: {N: 8, M: 12}", "params: {N: 8, M: 12}\nzoo:\n  qualities:\n    1: {N: 8, MM: 9}");
        at(e, 6, 15, "zoo.qualities.1", "unknown param 'MM' (did you mean 'M'?)", "N, M");
    }

    @Test
    void unusedModule() {
        at(fails("  entropy_bottleneck: entropy_bottleneck(M)", "  entropy_bottleneck: entropy_bottleneck(M)\n  h_a: [relu]"), 14, 3, "h_a",
                "module 'h_a' is declared but nothing uses it", "$h_a");
    }

    @Test
    void unknownSection() {
        at(fails("modules:", "modulez:"), 4, 1, "", "unknown section 'modulez' (did you mean 'modules'?)", "modules");
    }

    @Test
    void codecKindUsedAsLayerIsNamedAsSuch() {
        at(fails("    - gdn(N)", "    - hyperprior"), 7, 7, "g_a[1]", "unknown layer kind 'hyperprior' ('hyperprior' is a latent codec kind)",
                "one of conv");
    }

    @Test
    void unknownOverrideAtCompileTime() {
        Spec spec = SpecReader.read(FILE, BASE);
        SpecException e = assertThrows(SpecException.class, () -> spec.resolve(Map.of("Q", 3)));
        at(e, 3, 9, "params", "unknown param 'Q'", "one of N, M");
    }
}
