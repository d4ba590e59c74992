package dev.tinify.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The zoo tables in the spec files are CompressAI's (compressai.zoo.image cfgs; lambdas from its
 * zoo documentation, seed 003): factorized and hyperprior q1-5 (128, 192), q6-8 (192, 320);
 * mbt2018-mean q1-4 (128, 192), q5-8 (192, 320); mbt2018 q1-4 (192, 192), q5-8 (192, 320);
 * cheng2020 q1-3 N=128, q4-6 N=192.
 */
class ZooTableTest {
    private static final List<Double> MSE = List.of(0.0018, 0.0035, 0.0067, 0.0130, 0.0250, 0.0483, 0.0932, 0.1800);
    private static final List<Double> MS_SSIM = List.of(2.40, 4.58, 8.73, 16.64, 31.73, 60.50, 115.37, 220.00);

    private static Spec spec(String name) {
        return SpecReader.read(Path.of("..", "specs", name + ".yaml"));
    }

    private static void nm(String name, int lastSmall, int smallN, int smallM) {
        Spec s = spec(name);
        for (int q = 1; q <= 8; q++) {
            Map<String, Object> expected = q <= lastSmall ? Map.of("N", (long) smallN, "M", (long) smallM) : Map.of("N", 192L, "M", 320L);
            assertEquals(expected, s.qualityParams(q), name + " quality " + q);
        }
        assertEquals(List.of("mse", "ms-ssim"), s.zoo().metrics());
        assertEquals(MSE, s.zoo().lambdas().get("mse"));
        assertEquals(MS_SSIM, s.zoo().lambdas().get("ms-ssim"));
    }

    @Test
    void googleModels() {
        nm("bmshj2018-factorized", 5, 128, 192);
        nm("bmshj2018-factorized-relu", 5, 128, 192);
        nm("bmshj2018-hyperprior", 5, 128, 192);
        nm("mbt2018-mean", 4, 128, 192);
        nm("mbt2018", 4, 192, 192);
    }

    @Test
    void chengModelsHaveSixQualities() {
        for (String name : List.of("cheng2020-anchor", "cheng2020-attn")) {
            Spec s = spec(name);
            assertEquals(6, s.zoo().maxQuality());
            for (int q = 1; q <= 6; q++) {
                assertEquals(Map.of("N", q <= 3 ? 128L : 192L), s.qualityParams(q), name + " quality " + q);
            }
            assertEquals(MSE.subList(0, 6), s.zoo().lambdas().get("mse"));
            SpecException e = assertThrows(SpecException.class, () -> s.qualityParams(7));
            assertEquals("a quality from 1 to 6", e.expected());
        }
    }

    @Test
    void qualityParamsResolve() {
        Spec s = spec("bmshj2018-hyperprior");
        assertEquals(Map.of("N", 192L, "M", 320L), s.resolve(s.qualityParams(8)).params());
    }

    @Test
    void modelsWithoutPretrainedWeightsHaveNoZoo() {
        for (String name : List.of("cheng2020-anchor-checkerboard", "elic2022-official", "elic2022-chandelier")) {
            assertNull(spec(name).zoo(), name);
        }
    }
}
