package dev.tinify.runtime.pointcloud;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PointCloudFilesTest {
    private static final byte[] CUBE_FACE = "OFF\n4 2 0\n0 0 0\n1 0 0\n1 1 0\n0 1 0\n3 0 1 2\n3 0 2 3\n".getBytes(StandardCharsets.US_ASCII);

    @Test
    void anOffMeshIsSampledSeededOnItsSurface() throws Exception {
        PointCloud a = PointCloudFiles.decode(CUBE_FACE, 300, 9);
        assertEquals(300, a.size());
        for (int i = 0; i < a.size(); i++) {
            float x = a.xyz()[3 * i];
            float y = a.xyz()[3 * i + 1];
            assertTrue(x >= 0 && x <= 1 && y >= 0 && y <= 1 && a.xyz()[3 * i + 2] == 0, i + ": off the square");
        }
        assertArrayEquals(a.xyz(), PointCloudFiles.decode(CUBE_FACE, 300, 9).xyz());
        assertFalse(java.util.Arrays.equals(a.xyz(), PointCloudFiles.decode(CUBE_FACE, 300, 10).xyz()));
    }

    @Test
    void anOffFileWithoutFacesIsThePointSetOfItsVertices() throws Exception {
        byte[] points = "OFF\n3 0 0\n1 2 3\n4 5 6\n\n7 8 9\n".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, PointCloudFiles.decode(points, 100, 0).xyz());
        String m = assertThrows(PointCloudFormatException.class,
                () -> PointCloudFiles.decode("OFF\n0 0 0\n".getBytes(StandardCharsets.US_ASCII), 100, 0)).getMessage();
        assertTrue(m.contains("no surface area"), m);
    }

    @Test
    void aPlyCloudIsReadAsItIs(@TempDir Path dir) throws Exception {
        PointCloud c = PointCloud.of(new float[] {1, 2, 3, 4, 5, 6});
        Path f = dir.resolve("c.ply");
        PlyFiles.write(f, c, PlyFiles.Encoding.ASCII);
        assertArrayEquals(c.xyz(), PointCloudFiles.read(f, 7, 0).xyz());
        assertTrue(PointCloudFiles.hasCloudName(f) && PointCloudFiles.hasCloudName(Path.of("M.OFF")));
        assertFalse(PointCloudFiles.hasCloudName(Path.of("x.png")));
    }

    @Test
    void otherFilesAndEmptyCloudsAreRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("x.ply");
        Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0});
        String m = assertThrows(PointCloudFormatException.class, () -> PointCloudFiles.read(png, 10, 0)).getMessage();
        assertEquals(png + ": neither a PLY point cloud nor an OFF mesh: this is a PNG image", m);
        Path empty = dir.resolve("e.ply");
        PlyFiles.write(empty, PointCloud.of(new float[0]), PlyFiles.Encoding.ASCII);
        m = assertThrows(PointCloudFormatException.class, () -> PointCloudFiles.read(empty, 10, 0)).getMessage();
        assertEquals(empty + ": the file holds no points", m);
        Path flat = dir.resolve("flat.off");
        Files.writeString(flat, "OFF\n3 1 0\n0 0 0\n1 0 0\n2 0 0\n3 0 1 2\n");
        m = assertThrows(PointCloudFormatException.class, () -> PointCloudFiles.read(flat, 10, 0)).getMessage();
        assertTrue(m.startsWith(flat + ": ") && m.contains("no surface area"), m);
    }
}
