package dev.tinify.runtime.coding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tinify.runtime.reference.ReferenceCase;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The default Gaussian tables built through {@link QuantizedCdf#toCdfTables} equal CompressAI's. */
class GaussianTablesTest {
    @Test
    void erfcMatchesKnownValues() {
        assertEquals(1.0, GaussianTables.erfc(0), 1e-16);
        assertEquals(0.157299207050285130658779364917, GaussianTables.erfc(1), 1e-15);
        assertEquals(4.67773498104726583793074363275e-3, GaussianTables.erfc(2), 1e-17);
        assertEquals(1.53745979442803485018834348538e-12, GaussianTables.erfc(5), 1e-25);
        assertEquals(1.99532226501895273416206925637, GaussianTables.erfc(-2), 1e-15);
    }

    @Test
    void rebuiltTablesEqualTheFixtureTables() throws Exception {
        ReferenceCase gc = ReferenceCase.fixture("unit-gaussian-conditional");
        ReferenceCase rans = ReferenceCase.fixture("unit-rans");
        float[] scales = gc.tensor("scale_table").toFloats();
        CdfTables built = GaussianTables.build(scales);
        assertArrayEquals(rans.tensor("gc_default_table.offsets").toInts(), built.offsets());
        assertArrayEquals(rans.tensor("gc_default_table.cdf_lengths").toInts(), built.cdfLengths());
        int[] flat = rans.tensor("gc_default_table.cdfs").toInts();
        int width = built.cdfs()[0].length;
        assertEquals(flat.length, width * 64);
        for (int i = 0; i < 64; i++) {
            assertArrayEquals(Arrays.copyOfRange(flat, i * width, (i + 1) * width), built.cdfs()[i], "row " + i);
        }
    }

    /** PyTorch's float32 linspace/exp differ from this by up to 7 ulps; the tables used in benchmarks need no more. */
    @Test
    void scaleTableComputedHereIsCompressAisWithinAFewUlps() throws Exception {
        float[] expected = ReferenceCase.fixture("unit-gaussian-conditional").tensor("scale_table").toFloats();
        float[] mine = GaussianTables.defaultScaleTable();
        for (int i = 0; i < 64; i++) {
            assertEquals(expected[i], mine[i], 8 * Math.ulp(expected[i]), "scale " + i);
        }
    }
}
