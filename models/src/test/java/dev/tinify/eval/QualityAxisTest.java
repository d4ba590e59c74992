package dev.tinify.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class QualityAxisTest {
    private static ResultFile curve(double... msssim) {
        List<ResultFile.Point> points = new java.util.ArrayList<>();
        for (double m : msssim) {
            points.add(new ResultFile.Point("", 1, 30, m, 0, 0, List.of()));
        }
        return new ResultFile("c", "", points);
    }

    @Test
    void msSsimIsConvertedToDecibels() {
        assertArrayEquals(new double[] {10, 20}, QualityAxis.MS_SSIM.qualityDb(curve(0.9, 0.99)), 1e-12);
    }

    @Test
    void valuesAlreadyInDecibelsStay() {
        assertArrayEquals(new double[] {12.5, 20}, QualityAxis.MS_SSIM.qualityDb(curve(12.5, 20)), 0);
    }

    @Test
    void aMissingValueDoesNotStopTheConversion() {
        double[] q = QualityAxis.MS_SSIM.qualityDb(curve(0.9, Double.NaN));
        assertEquals(10, q[0], 1e-12);
        assertTrue(Double.isNaN(q[1]));
    }

    @Test
    void namesAsOnTheCommandLine() {
        assertEquals(QualityAxis.MS_SSIM, QualityAxis.parse("ms-ssim"));
        assertEquals(QualityAxis.PSNR, QualityAxis.parse("PSNR"));
        assertThrows(IllegalArgumentException.class, () -> QualityAxis.parse("ssim"));
    }
}
