package dev.tinify.runtime.pointcloud;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OFF meshes: both header layouts, polygon fans, surface sampling, and malformed files refused in one line. */
class OffFilesTest {
    @TempDir
    Path dir;

    /** The unit square in z = 0 as one quad, plus a degenerate sliver triangle. */
    private static final String SQUARE = "OFF\n# a comment\n5 2 0\n0 0 0\n1 0 0\n1 1 0\n0 1 0\n2 2 2\n4 0 1 2 3 255 0 0\n3 4 4 4\n";

    @Test
    void readsPolygonsAsFansAndTheModelNetHeader() throws IOException {
        OffFiles.Mesh m = OffFiles.decode(SQUARE.getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(new int[] {0, 1, 2, 0, 2, 3, 4, 4, 4}, m.triangles());
        OffFiles.Mesh glued = OffFiles.decode(SQUARE.replace("OFF\n# a comment\n5 2 0", "OFF5 2 0").getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(m.vertices(), glued.vertices());
        assertArrayEquals(m.triangles(), glued.triangles());
    }

    @Test
    void samplesLieOnTheSurfaceSpreadByArea() throws IOException {
        OffFiles.Mesh m = OffFiles.decode(SQUARE.getBytes(StandardCharsets.US_ASCII));
        PointCloud c = OffFiles.sample(m, 20000, 7);
        int lowerLeft = 0;
        for (int i = 0; i < c.size(); i++) {
            float x = c.xyz()[3 * i];
            float y = c.xyz()[3 * i + 1];
            assertEquals(0f, c.xyz()[3 * i + 2]);
            assertTrue(x >= 0 && x <= 1 && y >= 0 && y <= 1, "point " + i + " off the square");
            lowerLeft += x < 0.5 && y < 0.5 ? 1 : 0;
        }
        // A uniform sample puts a quarter in each quadrant: 5000 ± 4 standard deviations (61).
        assertTrue(Math.abs(lowerLeft - 5000) < 250, "lower-left quadrant holds " + lowerLeft);
        assertArrayEquals(c.xyz(), OffFiles.sample(m, 20000, 7).xyz());
    }

    @Test
    void malformedFilesGetOneLineErrorsNamingTheFile() throws IOException {
        String[][] cases = {
            {"line 1: expected 'OFF'", "PLY\n3 1 0\n"},
            {"ends where the counts", "OFF\n"},
            {"line 2: expected a count or index >= 0, found 'x'", "OFF\nx 1 0\n"},
            {"declares 100 vertices and 1 faces, the file has only", "OFF\n100 1 0\n0 0 0\n"},
            {"declares 3 vertices and 0 faces, the file has only 2 lines of data left", "OFF\n3 0 0\n0 0 0\n1 0 0\n"},
            {"line 4: vertex 1 has 2 values", "OFF\n3 1 0\n0 0 0\n1 0\n0 1 0\n3 0 1 2\n"},
            {"line 6: face 0 uses vertex 3, the file has 3", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 3\n"},
            {"line 6: face 0 needs a vertex count >= 3", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1\n"},
            {"line 7: data after the 1 faces", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n3 0 1 2\n"},
            {"line 3: 'abc' is not a number", "OFF\n3 1 0\nabc 0 0\n1 0 0\n0 1 0\n3 0 1 2\n"},
            // Counts whose sum or triple overflows, and a face size past the line's values.
            {"declares 4611686018427387904 vertices and 4611686018427387904 faces",
                "OFF\n4611686018427387904 4611686018427387904 0\n0 0 0\n"},
            {"line 6: face 0 needs a vertex count >= 3", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n9223372036854775807 0 1 2\n"},
            // Blank and comment lines hold no vertex: a count is checked against the lines of data.
            {"declares 1000 vertices and 0 faces, the file has only 1 lines of data", "OFF\n1000 0 0\n" + "\n# c\n".repeat(1000)
                + "0 0 0\n"},
            {"line 1: expected 'OFF', found '?[31mxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'", "\u001b[31m" + "x".repeat(100000) + "\n"},
        };
        for (String[] c : cases) {
            Path f = dir.resolve("bad.off");
            Files.writeString(f, c[1]);
            PointCloudFormatException e = assertThrows(PointCloudFormatException.class, () -> OffFiles.read(f), c[0]);
            assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
            assertTrue(e.getMessage().contains(c[0]), c[0] + " <- " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class,
                () -> OffFiles.sample(OffFiles.decode("OFF\n3 1 0\n0 0 0\n0 0 0\n0 0 0\n3 0 1 2\n".getBytes(StandardCharsets.US_ASCII)), 4, 1));
    }
}
