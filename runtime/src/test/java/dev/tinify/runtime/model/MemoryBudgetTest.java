package dev.tinify.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.dsl.Resolver;
import dev.tinify.dsl.Spec;
import dev.tinify.dsl.SpecReader;
import dev.tinify.runtime.compile.SpecCompiler;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Jobs are measured against the budget before anything is allocated for them. */
class MemoryBudgetTest {
    private static final Spec SPEC = SpecReader.read("m.yaml", String.join("\n",
            "tinify: 1",
            "name: m",
            "params: {N: 8, M: 12}",
            "modules:",
            "  g_a: [conv(3, N, 5, 2), gdn(N), conv(N, M, 5, 2)]",
            "  g_s: [deconv(M, N, 5, 2), igdn(N), deconv(N, 3, 5, 2)]",
            "  entropy_bottleneck: entropy_bottleneck(M)",
            "latent_codec: entropy_bottleneck($entropy_bottleneck)",
            ""));

    @AfterEach
    void clearBudget() {
        System.clearProperty(MemoryBudget.PROPERTY);
    }

    @Test
    void hugeChannelCountsAreRefusedBeforeTheParametersAreAllocated() {
        System.setProperty(MemoryBudget.PROPERTY, "8g");
        MemoryBudget.Exceeded e = assertThrows(MemoryBudget.Exceeded.class,
                () -> SpecCompiler.compile(SPEC, Map.of("N", 100_000, "M", 100_000)));
        // deconv(M, N, 5, 2) alone: 100000 x 100000 x 25 floats = 931 GB.
        assertTrue(e.getMessage().startsWith("m {N=100000, M=100000} needs about "), e.getMessage());
        assertTrue(e.getMessage().contains("(its parameters), more than the memory budget of 8.0 GB; use smaller channel counts"
                + " (--set N=..., M=...), or raise the budget with -Dtinify.memory=SIZE or TINIFY_MEMORY=SIZE"), e.getMessage());
    }

    @Test
    void theLargestActivationOfAnImageIsCountedBeforeCoding() {
        Resolver.Resolved r = SPEC.resolve(Map.of("N", 128, "M", 192));
        // gdn(N) after the first stride-2 conv of 8192x8192: 128 input and 128 output planes of 4096x4096, 4 bytes each,
        // 3 live copies (larger than the conv itself: 3 planes of 8192x8192 in, 128 of 4096x4096 out).
        long expected = 3 * (2 * 128L * 4096 * 4096 * 4);
        assertEquals(expected, MemoryBudget.imageBytes(r, 8192, 8192));
        System.setProperty(MemoryBudget.PROPERTY, "8g");
        try (CompressionModel m = SpecCompiler.compile(SPEC, Map.of("N", 128, "M", 192))) {
            MemoryBudget.Exceeded e = assertThrows(MemoryBudget.Exceeded.class, () -> MemoryBudget.checkImage(m, 8192, 8192));
            assertEquals("m on a 8192x8192 image (padded) needs about 48.0 GB (its largest activations), more than the memory budget"
                    + " of 8.0 GB; use a smaller image or a smaller model, or raise the budget with -Dtinify.memory=SIZE or"
                    + " TINIFY_MEMORY=SIZE", e.getMessage());
            MemoryBudget.checkImage(m, 512, 768);
        }
    }

    @Test
    void budgetSizes() {
        assertEquals(8L << 30, MemoryBudget.parse("8g"));
        assertEquals(512L << 20, MemoryBudget.parse("512M"));
        assertEquals(1000, MemoryBudget.parse("1000"));
        for (String bad : new String[] {"0", "-1g", "lots", "9999999999999g"}) {
            assertThrows(IllegalArgumentException.class, () -> MemoryBudget.parse(bad), bad);
        }
    }

    @Test
    void aClosedModelFailsFast() {
        CompressionModel m = SpecCompiler.compile(SPEC, Map.of());
        m.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, m::weightsFingerprint);
        assertEquals("m: the model is closed", e.getMessage());
    }
}
