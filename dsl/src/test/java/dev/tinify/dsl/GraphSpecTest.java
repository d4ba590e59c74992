package dev.tinify.dsl;

import static dev.tinify.dsl.SpecBuilder.seq;
import static dev.tinify.dsl.kinds.Layers.deconv;
import static dev.tinify.dsl.kinds.Layers.relu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Graph modules: read from YAML and built in Java to the same tree, channels followed through
 * every operation, and each mistake reported at its step. Line numbers are counted by hand.
 */
class GraphSpecTest {
    private static final String FILE = "g.yaml";
    private static final String BASE = String.join("\n",
            "tinify: 1",                                                 // 1
            "name: g",                                                   // 2
            "params: {N: 8, M: 12}",                                     // 3
            "modules:",                                                  // 4
            "  g_a:",                                                    // 5
            "    - conv(3, N, 5, 2)",                                    // 6
            "    - conv(N, M, 5, 2)",                                    // 7
            "  g_s:",                                                    // 8
            "    graph:",                                                // 9
            "      up:",                                                 // 10
            "        from: x",                                           // 11
            "        apply: [deconv(M, N, 5, 2), relu]",                 // 12
            "      half: slice(up, 0, N//2)",                            // 13
            "      both: concat(up, half, half)",                        // 14
            "      out:",                                                // 15
            "        from: both",                                        // 16
            "        apply: deconv(N*2, 3, 5, 2)",                       // 17
            "  entropy_bottleneck: entropy_bottleneck(M)",               // 18
            "latent_codec: entropy_bottleneck($entropy_bottleneck)",     // 19
            "");

    private static SpecException fails(String from, String to) {
        String text = BASE.replace(from, to);
        assertTrue(!text.equals(BASE), "the replacement applies");
        return assertThrows(SpecException.class, () -> SpecReader.read(FILE, text).resolve(Map.of()));
    }

    @Test
    void channelsFollowTheSteps() {
        Resolver.Part gs = SpecReader.read(FILE, BASE).resolve(Map.of()).modules().get("g_s");
        assertTrue(gs.isGraph());
        assertEquals(12, gs.in(), "the input's channels come from the step reading x");
        assertEquals(3, gs.out());
        assertEquals(List.of(8, 4, 16, 3), gs.steps().stream().map(Resolver.Step::channels).toList(), "up, half, both, out");
    }

    @Test
    void javaBuilderGivesTheYamlTree() {
        Spec yaml = SpecReader.read(FILE, BASE);
        IntExpr n = IntExpr.name("N");
        IntExpr m = IntExpr.name("M");
        GraphBuilder g = SpecBuilder.graph();
        String up = g.apply("up", seq(deconv(m, n, 5, 2), relu()));
        String half = g.slice("half", up, 0, n.div(2));
        String both = g.concat("both", up, half, half);
        g.apply("out", List.of(both), deconv(n.times(2), 3, 5, 2));
        assertEquals(yaml.modules().get("g_s"), g.build());
    }

    @Test
    void aStepReadsOnlyEarlierSteps() {
        SpecException later = fails("        from: x", "        from: out");
        SmallSpecs.at(later, FILE, 10, 7, "g_s.up", "reads 'out', which is not an earlier step", "written above this one");
        SpecException unknown = fails("concat(up, half, half)", "concat(up, halve)");
        SmallSpecs.at(unknown, FILE, 14, 7, "g_s.both", "reads 'halve', which is not a step (did you mean 'half'?)", "the input x");
    }

    @Test
    void unknownOperationSuggestsTheNearest() {
        SpecException e = fails("concat(up, half, half)", "concatenate(up, half)");
        SmallSpecs.at(e, FILE, 14, 13, "g_s.both", "unknown graph operation 'concatenate' (did you mean 'concat'?)", "slice(a, START, END)");
    }

    @Test
    void operationsCheckTheirNumbersAndChannels() {
        SpecException slice = fails("slice(up, 0, N//2)", "slice(up, 0, 2*N)");
        SmallSpecs.at(slice, FILE, 13, 7, "g_s.half", "slice of channels 0 to 16 of 8", "0 <= START <= END <= 8");
        SpecException chunk = fails("slice(up, 0, N//2)", "chunk(up, 3, 0)");
        SmallSpecs.at(chunk, FILE, 13, 7, "g_s.half", "chunk 0 of 3 of 8 channels", "N dividing the channels");
        SpecException add = fails("concat(up, half, half)", "add(up, half)");
        SmallSpecs.at(add, FILE, 14, 7, "g_s.both", "add of 8 and 4 channels", "inputs of equal channels");
        SpecException apply = fails("deconv(N*2, 3, 5, 2)", "deconv(N, 3, 5, 2)");
        SmallSpecs.at(apply, FILE, 15, 7, "g_s.out", "channel mismatch: g_s.out takes 8 channels but both gives 16", "input channels = 16");
        SpecException arity = fails("slice(up, 0, N//2)", "slice(up, 0)");
        SmallSpecs.at(arity, FILE, 13, 13, "g_s.half", "slice given 1 input and 1 number", "slice(a, START, END)");
    }

    @Test
    void stepNamesAreNotParametersOrTheInput() {
        SpecException param = fails("      half: slice(up, 0, N//2)\n      both: concat(up, half, half)",
                "      M: slice(up, 0, N//2)\n      both: concat(up, M, M)");
        SmallSpecs.at(param, FILE, 13, 7, "g_s.M", "step name 'M' is also a parameter", "a step name that no parameter has");
        SpecException input = fails("      half: slice", "      x: slice");
        SmallSpecs.at(input, FILE, 13, 7, "g_s.x", "step name 'x'", "other than 'x'");
    }

    /** Top-level modules named as CompressAI's nn.ModuleDict entries, applied by graph steps through dotted references. */
    private static final String DOTTED = String.join("\n",
            "tinify: 1",                                                 // 1
            "name: d",                                                   // 2
            "modules:",                                                  // 3
            "  up._1.block: [deconv(12, 8, 5, 2), relu]",                // 4
            "  up._0: deconv(8, 3, 5, 2)",                               // 5
            "  g_a: [conv(3, 8, 5, 2), conv(8, 12, 5, 2)]",              // 6
            "  g_s:",                                                    // 7
            "    graph:",                                                // 8
            "      v1: {from: x, apply: $up._1.block}",                  // 9
            "      out: {from: v1, apply: $up._0}",                      // 10
            "  entropy_bottleneck: entropy_bottleneck(12)",              // 11
            "latent_codec: entropy_bottleneck($entropy_bottleneck)",     // 12
            "");

    @Test
    void stepsApplyDottedModuleReferences() {
        Resolver.Part gs = SpecReader.read(FILE, DOTTED).resolve(Map.of()).modules().get("g_s");
        assertEquals(List.of("up._1.block", "up._0"), gs.steps().stream().map(s -> s.body().ref()).toList());
        assertEquals(12, gs.in());
        assertEquals(3, gs.out());
        SpecException e = assertThrows(SpecException.class,
                () -> SpecReader.read(FILE, DOTTED.replace("$up._0}", "$up._2}")).resolve(Map.of()));
        SmallSpecs.at(e, FILE, 10, 7, "g_s.out", "unknown module reference '$up._2' (did you mean '$up._0'?)", "$up._0");
    }
}
