package dev.tinify.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.dsl.Metric;
import dev.tinify.Tinify;
import dev.tinify.TinifyException;
import org.junit.jupiter.api.Test;

/**
 * Zoo configurations come from the bundled specs and agree with CompressAI's zoo: channel
 * counts per quality from {@code compressai.zoo.image.cfgs}, lambdas from its documented table.
 */
class ZooEntryTest {
    @Test
    void hyperpriorQualitySixIsTheWideConfiguration() {
        ZooEntry e = Tinify.zooEntry("bmshj2018-hyperprior", 6, Metric.MSE);
        assertEquals(192, ((Number) e.params().get("N")).intValue());
        assertEquals(320, ((Number) e.params().get("M")).intValue());
        assertEquals(0.0483, e.lambda(), 1e-12);
        assertEquals("bmshj2018-hyperprior-mse-6.safetensors", e.weightsFileName());
    }

    @Test
    void msSsimLambdaOfQualityOne() {
        assertEquals(2.40, Tinify.zooEntry("mbt2018-mean", 1, Metric.MS_SSIM).lambda(), 1e-12);
    }

    @Test
    void unknownQualityNamesTheAvailableOnes() {
        TinifyException e = assertThrows(TinifyException.class, () -> Tinify.zooEntry("bmshj2018-factorized", 9, Metric.MSE));
        assertTrue(e.getMessage().contains("[1, 2, 3, 4, 5, 6, 7, 8]"), e.getMessage());
    }

    @Test
    void metricNamesParseAsInSpecFiles() {
        assertEquals(Metric.MS_SSIM, Metric.parse("MS_SSIM"));
        assertEquals(Metric.MSE, Metric.parse(" mse "));
        assertThrows(IllegalArgumentException.class, () -> Metric.parse("psnr"));
    }
}
