package dev.tinify.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Lists repeat and concatenate as in Python: {@code [M//4]*4}, {@code [16]*2 + [M - 32]}. */
class ListArithmeticTest {
    private static Spec spec(String groups) {
        return SpecReader.read("t.yaml", String.join("\n",
                "tinify: 1",
                "name: t",
                "params: {M: 64, groups: " + groups + "}",
                "modules:",
                "  g_a: [conv(3, M, 5, 2)]",
                "  g_s: [deconv(M, 3, 5, 2)]",
                "latent_codec:",
                "  channel_groups:",
                "    groups: groups",
                "    channel_context: conv1x1(sum(groups[:k]), groups[k]*2)",
                "    latent_codec: gaussian_conditional(entropy_parameters=conv1x1(groups[k]*2, groups[k]*2))",
                ""));
    }

    @Test
    void repetitionAndConcatenation() {
        assertEquals(List.of(16L, 16L, 16L, 16L), spec("\"[M//4]*4\"").resolve(Map.of()).params().get("groups"));
        assertEquals(List.of(16L, 16L, 32L), spec("\"2*[M//4] + [M - 32]\"").resolve(Map.of()).params().get("groups"));
        assertEquals(List.of(8L, 8L, 8L, 8L), spec("\"[M//4]*4\"").resolve(Map.of("M", 32)).params().get("groups"));
    }

    @Test
    void aHugeRepetitionIsRefused() {
        SpecException e = assertThrows(SpecException.class, () -> spec("\"[1]*100000000000\"").resolve(Map.of()));
        assertTrue(e.getMessage().contains("at most 4096 items"), e.getMessage());
    }
}
