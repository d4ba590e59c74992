package dev.tinify.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.runtime.model.CompressionModel;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The net/aux split is a partition of the trainable parameters, with exactly the quantiles in aux. */
class ParameterGroupsTest {
    @Test
    void hyperpriorSplitIsCompleteAndDisjoint() {
        try (CompressionModel model = TrainFixtures.tinyHyperprior(1)) {
            ParameterGroups g = ParameterGroups.of(model);
            assertEquals(Set.of("entropy_bottleneck.quantiles"), g.aux().keySet());
            Set<String> union = new HashSet<>(g.net().keySet());
            union.addAll(g.aux().keySet());
            assertEquals(model.parameters().keySet(), union);
            assertEquals(model.parameters().size(), g.net().size() + g.aux().size(), "groups overlap");
            assertTrue(g.net().containsKey("g_a.0.weight"));
            assertTrue(g.net().containsKey("g_a.1.beta"));
            assertTrue(g.net().containsKey("entropy_bottleneck.matrices.0"), "the density's own parameters train on the main loss");
            assertFalse(g.net().keySet().stream().anyMatch(k -> k.endsWith("quantiles")));
            // Buffers (CDF tables, scale table) belong to neither group.
            assertFalse(union.contains("gaussian_conditional.scale_table"));
        }
    }

    @Test
    void onlyQuantileNamesGoToAux() {
        assertTrue(ParameterGroups.isAux("quantiles"));
        assertTrue(ParameterGroups.isAux("latent_codec.hyper.entropy_bottleneck.quantiles"));
        assertFalse(ParameterGroups.isAux("g_a.0.weight"));
        assertFalse(ParameterGroups.isAux("entropy_bottleneck.quantiles_extra"));
    }
}
