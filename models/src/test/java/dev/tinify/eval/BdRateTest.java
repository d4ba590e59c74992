package dev.tinify.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.eval.BdRate.Method;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Reference numbers from the project's tools/bdrate.py (numpy 2.4.6), obtained with
 * {@code python3 -c "import importlib.util as u; s=u.spec_from_file_location('bd','bdrate.py');
 * bd=u.module_from_spec(s); s.loader.exec_module(bd); import numpy as np;
 * print(repr(bd.bd_rate(np.array(RA),np.array(QA),np.array(RB),np.array(QB),'pchip')),
 * repr(bd.bd_psnr(...)))"} in /work/shared/tools with the curves below, and for the dev8 curves
 * {@code python3 bdrate.py ../data/baselines-dev8.json:jpeg ../data/baselines-dev8.json:webp
 * [--metric ms_ssim] [--method poly3]} (full precision via the same functions).
 */
class BdRateTest {
    private static final double[] RA = {0.1, 0.2, 0.4, 0.8, 1.6};
    private static final double[] QA = {26.0, 28.5, 31.2, 34.0, 37.1};
    private static final double[] RB = {0.12, 0.22, 0.41, 0.75, 1.5, 2.0};
    private static final double[] QB = {27.0, 29.4, 32.0, 34.6, 37.5, 38.9};

    private static void assertRel(double expected, double got) {
        assertEquals(expected, got, Math.abs(expected) * 1e-9, "expected " + expected + ", got " + got);
    }

    @Test
    void pchipMatchesBdratePy() {
        double[] r = BdRate.bdRate(RA, QA, RB, QB, Method.PCHIP);
        assertRel(-15.23673775308464, r[0]);
        assertEquals(27.0, r[1]);
        assertEquals(37.1, r[2]);
        assertRel(0.6714401538119947, BdRate.bdQuality(RA, QA, RB, QB, Method.PCHIP));
    }

    @Test
    void poly3MatchesBdratePy() {
        assertRel(-15.227963785565567, BdRate.bdRate(RA, QA, RB, QB, Method.POLY3)[0]);
        assertRel(0.6761693108888777, BdRate.bdQuality(RA, QA, RB, QB, Method.POLY3));
    }

    @Test
    void nonMonotoneCurveUsesTheFlatSlopeBranches() {
        double[] rc = {0.1, 0.3, 0.25, 0.9};
        double[] qc = {25.0, 29.0, 30.0, 33.0};
        assertRel(18.455093837790713, BdRate.bdRate(RA, QA, rc, qc, Method.PCHIP)[0]);
        assertRel(-0.7387041144997188, BdRate.bdQuality(RA, QA, rc, qc, Method.PCHIP));
    }

    @Test
    void twoPointCurvesAreLinear() {
        double[] r = BdRate.bdRate(new double[] {0.1, 1.0}, new double[] {25, 35}, new double[] {0.2, 0.9}, new double[] {27, 36},
                Method.PCHIP);
        assertRel(-1.9727840624948922, r[0]);
    }

    @Test
    void dev8BaselinesMatchBdratePy() throws Exception {
        Path f = Path.of(System.getProperty("tinify.shared", "../shared"), "data", "baselines-dev8.json");
        ResultFile jpeg = ResultFile.load(f + ":jpeg");
        ResultFile webp = ResultFile.load(f + ":webp");
        BdRate.Result p = BdRate.compute(jpeg, webp);
        assertRel(-40.70902852734357, p.bdRatePercent());
        assertRel(2.3690543219432385, p.bdQualityDb());
        assertRel(29.631449546395608, p.qualityLow());
        assertRel(42.70146660941919, p.qualityHigh());
        assertRel(-40.08800876765874, BdRate.compute(jpeg, webp, QualityAxis.PSNR, Method.POLY3).bdRatePercent());
        BdRate.Result m = BdRate.compute(jpeg, webp, QualityAxis.MS_SSIM, Method.PCHIP);
        assertRel(-39.64168050595828, m.bdRatePercent());
        assertRel(2.1972837165833257, m.bdQualityDb());
        assertRel(10.324314145929158, m.qualityLow());
        BdRate.Result m3 = BdRate.compute(jpeg, webp, QualityAxis.MS_SSIM, Method.POLY3);
        assertRel(-38.91929401391055, m3.bdRatePercent());
        assertRel(2.114452792186022, m3.bdQualityDb());
        ResultFile hevc = ResultFile.load(f + ":hevc444");
        ResultFile avif = ResultFile.load(f + ":avif");
        assertRel(2.7430562040863027, BdRate.compute(hevc, avif).bdRatePercent());
    }

    @Test
    void aCurveAgainstItselfIsZero() {
        assertEquals(0.0, BdRate.bdRate(RA, QA, RA, QA, Method.PCHIP)[0], 1e-12);
        assertEquals(0.0, BdRate.bdQuality(RB, QB, RB, QB, Method.POLY3), 1e-12);
    }

    @Test
    void badCurvesAreExplained() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BdRate.bdRate(RA, QA, new double[] {1, 2}, new double[] {50, 60}, Method.PCHIP));
        assertTrue(e.getMessage().contains("do not overlap"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> BdRate.bdRate(RA, QA, new double[] {1, 2, 3}, new double[] {28, 30, 32}, Method.POLY3));
        assertTrue(e.getMessage().contains("not enough points"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> BdRate.bdRate(RA, QA, new double[] {0, 2}, new double[] {28, 30}, Method.PCHIP));
        assertTrue(e.getMessage().contains("not a positive number"), e.getMessage());
    }
}
