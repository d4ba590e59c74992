package dev.tinify.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.Metric;
import dev.tinify.TinifyException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading quality levels and lambdas from a spec's zoo section. */
class ZooTableTest {
    private static final String SPEC = """
            name: demo
            zoo:
              qualities:
                1: {N: 128, M: 192}
                2: {N: 192, M: 320}
              lambda:
                mse: [0.0018, 0.0035]
                ms-ssim: [2.40, 4.58]
            """;

    @Test
    void entryCarriesTheQualityParametersAndLambda() {
        ZooTable t = ZooTable.parse("demo", SPEC, "demo.yaml");
        assertEquals(List.of(1, 2), t.qualities());
        ZooEntry e = t.entry(2, Metric.MS_SSIM);
        assertEquals(Map.of("N", 192, "M", 320), e.params());
        assertEquals(4.58, e.lambda());
        assertEquals("demo-ms-ssim-2.safetensors", e.weightsFileName());
    }

    @Test
    void unknownQualityNamesTheAvailableOnes() {
        TinifyException e = assertThrows(TinifyException.class, () -> ZooTable.parse("demo", SPEC, "demo.yaml").entry(9, Metric.MSE));
        assertTrue(e.getMessage().contains("[1, 2]"), e.getMessage());
    }

    @Test
    void specWithoutZooSectionIsAClearError() {
        TinifyException e = assertThrows(TinifyException.class, () -> ZooTable.parse("demo", "name: demo\n", "demo.yaml"));
        assertTrue(e.getMessage().startsWith("demo.yaml"), e.getMessage());
    }

    @Test
    void tooFewLambdasIsAnError() {
        String bad = SPEC.replace("mse: [0.0018, 0.0035]", "mse: [0.0018]");
        assertThrows(TinifyException.class, () -> ZooTable.parse("demo", bad, "demo.yaml"));
    }
}
