package dev.tinify.runtime.train;

import dev.tinify.dsl.Metric;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.dsl.Spec;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** CompressAI's rate-distortion loss terms on hand-checkable inputs, and the lambda table from the spec. */
@ExtendWith(OnePyTorchThread.class)
class RateDistortionLossTest {
    @Test
    void bppCountsBitsOfEveryLatentPerInputPixel() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> lik = new LinkedHashMap<>();
            // 2x4x2x2 = 32 symbols of 1 bit and 2x2x1x1 = 4 symbols of 3 bits, for 2 images of 8x8 pixels.
            lik.put("y", m.full(new Shape(2, 4, 2, 2), 0.5f));
            lik.put("z", m.full(new Shape(2, 2, 1, 1), 0.125f));
            double bpp = RateDistortionLoss.bpp(lik, new Shape(2, 3, 8, 8)).getFloat();
            assertEquals((32 + 12) / 128.0, bpp, 1e-6);
        }
    }

    @Test
    void mseLossIsLambdaTimes255SquaredMsePlusRate() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new Shape(1, 3, 4, 4));
            NDArray xHat = m.full(new Shape(1, 3, 4, 4), 0.1f);
            Map<String, NDArray> lik = Map.of("y", m.full(new Shape(1, 2, 1, 1), 0.25f));
            RateDistortionLoss.Terms t = new RateDistortionLoss(Metric.MSE, 0.0130).compute(x, xHat, lik);
            double rate = 4 / 16.0;
            assertEquals(rate, t.bpp().getFloat(), 1e-6);
            assertEquals(0.01, t.mse().getFloat(), 1e-7);
            assertEquals(0.0130 * 255 * 255 * 0.01 + rate, t.loss().getFloat(), 1e-4);
            assertNull(t.msSsim());
        }
    }

    @Test
    void msSsimLossIsLambdaTimesOneMinusMsSsimPlusRate() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomUniform(0f, 1f, new Shape(1, 3, 176, 176));
            NDArray xHat = x.mul(0.9f).add(0.05f);
            Map<String, NDArray> lik = Map.of("y", m.full(new Shape(1, 2, 11, 11), 0.5f));
            RateDistortionLoss.Terms t = new RateDistortionLoss(Metric.MS_SSIM, 8.73).compute(x, xHat, lik);
            double msSsim = MsSsimLoss.of(xHat, x).getFloat();
            assertTrue(msSsim < 1 && msSsim > 0, "a distorted copy: " + msSsim);
            assertEquals(msSsim, t.msSsim().getFloat(), 1e-6);
            assertEquals(8.73 * (1 - msSsim) + 242.0 / (176 * 176), t.loss().getFloat(), 1e-4);
        }
    }

    @Test
    void lambdaComesFromTheSpecZooTable() {
        Spec spec = TrainFixtures.spec("bmshj2018-hyperprior");
        // CompressAI's documented training lambdas (zoo.rst): MSE q3 = 0.0067, MS-SSIM q8 = 220.00.
        assertEquals(0.0067, RateDistortionLoss.lambda(spec, Metric.MSE, 3), 0);
        assertEquals(220.0, RateDistortionLoss.lambda(spec, Metric.MS_SSIM, 8), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RateDistortionLoss.lambda(spec, Metric.MSE, 9));
        assertTrue(e.getMessage().contains("quality 9") && e.getMessage().contains("1..8"), e.getMessage());
    }

    @Test
    void metricNamesAreTheSpecKeys() {
        assertEquals(Metric.MS_SSIM, Metric.parse("MS-SSIM"));
        assertEquals(Metric.MSE, Metric.parse("mse"));
        assertThrows(IllegalArgumentException.class, () -> Metric.parse("psnr"));
    }
}
