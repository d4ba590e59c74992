package dev.tinify.runtime.coding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tinify.runtime.reference.ReferenceCase;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuantizedCdfTest {
    @Test
    void matchesCompressAiOnEveryFixtureCase() throws Exception {
        ReferenceCase ref = ReferenceCase.fixture("unit-pmf-to-quantized-cdf");
        List<String> names = new ArrayList<>();
        ref.meta().path("results").fieldNames().forEachRemaining(names::add);
        assertEquals(7, names.size(), "fixture cases");
        int precision = ref.meta().path("precision").asInt();
        for (String name : names) {
            float[] pmf = ref.tensor(name + ".pmf").toFloats();
            int[] expected = ref.tensor(name + ".cdf").toInts();
            assertArrayEquals(expected, QuantizedCdf.fromPmf(pmf, precision), name);
            JsonNode json = ref.meta().path("results").path(name).path("cdf");
            for (int i = 0; i < json.size(); i++) {
                assertEquals(json.get(i).asInt(), expected[i], name + " case.json vs tensor");
            }
        }
    }

    @Test
    void tailVariantAppendsTheEscapeMass() throws Exception {
        ReferenceCase ref = ReferenceCase.fixture("unit-pmf-to-quantized-cdf");
        float[] withTail = ref.tensor("gauss601_plus_tail.pmf").toFloats();
        float[] pmf = java.util.Arrays.copyOf(withTail, withTail.length - 1);
        assertArrayEquals(ref.tensor("gauss601_plus_tail.cdf").toInts(),
                QuantizedCdf.fromPmf(pmf, withTail[withTail.length - 1], 16));
    }

    @Test
    void randomPmfsGiveStrictlyIncreasingCdfsAtEveryPrecision() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 500; trial++) {
            int precision = 1 + rnd.nextInt(16);
            int n = 1 + rnd.nextInt(Math.min(1 << precision, 300));
            float[] pmf = new float[n];
            for (int i = 0; i < n; i++) {
                pmf[i] = rnd.nextInt(4) == 0 ? 0f : (float) Math.pow(rnd.nextDouble(), 8);
            }
            pmf[rnd.nextInt(n)] = 1f;
            int[] cdf = QuantizedCdf.fromPmf(pmf, precision);
            assertEquals(n + 1, cdf.length);
            assertEquals(0, cdf[0]);
            assertEquals(1 << precision, cdf[n]);
            for (int i = 0; i < n; i++) {
                assertTrue(cdf[i + 1] > cdf[i], "trial " + trial + " symbol " + i);
            }
        }
    }

    @Test
    void toCdfTablesPadsRowsAndKeepsLengthsAndOffsets() throws Exception {
        float[] pmf = {0.5f, 0.5f, 0f, 0.2f, 0.3f, 0.4f};
        CdfTables t = QuantizedCdf.toCdfTables(pmf, new int[] {2, 3}, new float[] {1e-3f, 0.1f}, new int[] {-1, -2});
        assertArrayEquals(new int[] {4, 5}, t.cdfLengths());
        assertArrayEquals(new int[] {-1, -2}, t.offsets());
        assertEquals(5, t.cdfs()[0].length);
        assertArrayEquals(QuantizedCdf.fromPmf(new float[] {0.5f, 0.5f}, 1e-3f, 16),
                java.util.Arrays.copyOf(t.cdfs()[0], 4));
        assertEquals(0, t.cdfs()[0][4], "padding");
        assertArrayEquals(QuantizedCdf.fromPmf(new float[] {0.2f, 0.3f, 0.4f, 0.1f}, 16), t.cdfs()[1]);
    }

    @Test
    void rejectsPmfsCompressAiRejectsOrCannotQuantize() {
        assertThrows(IllegalArgumentException.class, () -> QuantizedCdf.fromPmf(new float[] {0.5f, -0.1f}, 16));
        assertThrows(IllegalArgumentException.class, () -> QuantizedCdf.fromPmf(new float[] {Float.NaN}, 16));
        assertThrows(IllegalArgumentException.class,
                () -> QuantizedCdf.fromPmf(new float[] {Float.POSITIVE_INFINITY}, 16));
        IllegalArgumentException zeros =
                assertThrows(IllegalArgumentException.class, () -> QuantizedCdf.fromPmf(new float[] {1e-9f, 0f}, 16));
        assertTrue(zeros.getMessage().contains("zeros"), zeros.getMessage());
        assertThrows(IllegalArgumentException.class, () -> QuantizedCdf.fromPmf(new float[5], 2));
        assertThrows(IllegalArgumentException.class, () -> QuantizedCdf.fromPmf(new float[0], 16));
        assertThrows(IllegalArgumentException.class, () -> QuantizedCdf.fromPmf(new float[] {1f}, 17));
        assertThrows(IllegalArgumentException.class,
                () -> QuantizedCdf.toCdfTables(new float[4], new int[] {3}, new float[] {0.1f}, new int[] {0, 0}));
        assertThrows(IllegalArgumentException.class,
                () -> QuantizedCdf.toCdfTables(new float[4], new int[] {5}, new float[] {0.1f}, new int[] {0}));
    }
}
