package dev.tinify.runtime.pointcloud;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tinify.runtime.reference.ReferenceCase;
import org.junit.jupiter.api.Test;

/** The direction table of hrtzxf2022's up-sampling layers against the reference fixture, and the icosphere's geometry. */
class IcosphereTest {
    @Test
    void hypothesisEqualsTheFixtureTable() throws Exception {
        ReferenceCase c = ReferenceCase.fixture("hrtzxf2022-pcc-rec");
        float[] ours = Icosphere.hypothesis(1);
        assertEquals(43 * 3, ours.length);
        assertArrayEquals(c.tensor("decoder.upsample_layers.0.xyzs_upsample_nn.hypothesis").toFloats(), ours);
    }

    @Test
    void verticesAreUnitVectorsAndCountAsSubdivisionsSay() {
        // An icosahedron has 12 vertices; each subdivision adds one per edge (30, then 120).
        assertEquals(12, Icosphere.vertices(0).length);
        assertEquals(42, Icosphere.vertices(1).length);
        assertEquals(162, Icosphere.vertices(2).length);
        for (double[] v : Icosphere.vertices(2)) {
            assertEquals(1.0, Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]), 1e-12);
        }
    }
}
