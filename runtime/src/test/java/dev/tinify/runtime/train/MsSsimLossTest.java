package dev.tinify.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.metrics.MsSsim;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The differentiable MS-SSIM agrees with the evaluation metric and has a usable gradient. */
@ExtendWith(OnePyTorchThread.class)
class MsSsimLossTest {
    /** A 184x200 crop (odd sizes at the coarser scales exercise the pooling padding) and a noisy 8-bit copy. */
    private static RgbImage[] pair() throws Exception {
        RgbImage img = ImageFiles.read(TrainFixtures.trainCrops().resolve("00003.png"));
        RgbImage a = img.crop(new Padding(30, 256 - 200 - 30, 40, 256 - 184 - 40));
        int[] v = a.to8Bit();
        SplittableRandom r = new SplittableRandom(7);
        int[] noisy = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            noisy[i] = Math.max(0, Math.min(255, v[i] + r.nextInt(-12, 13)));
        }
        return new RgbImage[] {RgbImage.from8Bit(184, 200, v), RgbImage.from8Bit(184, 200, noisy)};
    }

    @Test
    void agreesWithTheEvaluationMetric() throws Exception {
        RgbImage[] p = pair();
        double expected = MsSsim.of(p[0], p[1]);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = p[0].toNDArray(m);
            NDArray y = p[1].toNDArray(m);
            double got = MsSsimLoss.of(y, x).getFloat();
            assertEquals(expected, got, 2e-5, "MS-SSIM of an image and its noisy copy");
            assertTrue(expected < 0.99 && expected > 0.5, "the pair is neither identical nor unrelated: " + expected);
            assertEquals(1.0, MsSsimLoss.of(x, x).getFloat(), 1e-5, "MS-SSIM of an image with itself");
        }
    }

    @Test
    void averagesOverTheBatch() throws Exception {
        RgbImage[] p = pair();
        double same = 1.0;
        double noisy = MsSsim.of(p[0], p[1]);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = p[0].toNDArray(m).concat(p[0].toNDArray(m), 0);
            NDArray y = p[0].toNDArray(m).concat(p[1].toNDArray(m), 0);
            assertEquals((same + noisy) / 2, MsSsimLoss.of(y, x).getFloat(), 2e-5);
        }
    }

    @Test
    void gradientMatchesFiniteDifference() throws Exception {
        RgbImage[] p = pair();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = p[0].toNDArray(m);
            NDArray y = p[1].toNDArray(m).toType(ai.djl.ndarray.types.DataType.FLOAT64, false);
            NDArray x64 = x.toType(ai.djl.ndarray.types.DataType.FLOAT64, false);
            y.setRequiresGradient(true);
            double analytic;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray v = MsSsimLoss.of(y, x64);
                gc.backward(v);
            }
            int c = 1;
            int row = 90;
            int col = 101;
            analytic = y.getGradient().getDouble(0, c, row, col);
            double h = 1e-4;
            double[] plusMinus = new double[2];
            for (int s = 0; s < 2; s++) {
                NDArray shifted = y.stopGradient().duplicate();
                double base = shifted.getDouble(0, c, row, col);
                shifted.set(new ai.djl.ndarray.index.NDIndex(0, c, row, col), base + (s == 0 ? h : -h));
                plusMinus[s] = MsSsimLoss.of(shifted, x64).getDouble();
            }
            double numeric = (plusMinus[0] - plusMinus[1]) / (2 * h);
            assertTrue(Math.abs(analytic) > 1e-7, "the gradient reaches the pixel: " + analytic);
            assertEquals(numeric, analytic, 1e-3 * Math.abs(numeric) + 1e-9, "d MS-SSIM / d pixel");
        }
    }

    @Test
    void refusesSmallImages() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new Shape(1, 3, 160, 200));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MsSsimLoss.of(x, x));
            assertTrue(e.getMessage().contains("160"), e.getMessage());
        }
    }
}
