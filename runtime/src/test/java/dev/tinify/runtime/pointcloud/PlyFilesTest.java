package dev.tinify.runtime.pointcloud;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PLY round trips in both encodings, files written by hand, and malformed files refused in one line. */
class PlyFilesTest {
    @TempDir
    Path dir;

    @Test
    void bothEncodingsRoundTripPositionsNormalsAndColours() throws IOException {
        Random rnd = new Random(1);
        int n = 257;
        float[] xyz = new float[3 * n];
        float[] nrm = new float[3 * n];
        float[] rgb = new float[3 * n];
        for (int i = 0; i < 3 * n; i++) {
            xyz[i] = (float) rnd.nextGaussian() * 1e3f;
            nrm[i] = (float) rnd.nextGaussian();
            rgb[i] = rnd.nextInt(256) / 255f;
        }
        for (PlyFiles.Encoding e : PlyFiles.Encoding.values()) {
            Path f = dir.resolve(e + ".ply");
            PlyFiles.write(f, new PointCloud(xyz, rgb, nrm), e);
            PointCloud back = PlyFiles.read(f);
            assertArrayEquals(xyz, back.xyz(), e.toString());
            assertArrayEquals(nrm, back.normals(), e.toString());
            assertArrayEquals(rgb, back.colors(), e.toString());
        }
        PlyFiles.write(dir.resolve("plain.ply"), PointCloud.of(xyz), PlyFiles.Encoding.BINARY_LITTLE_ENDIAN);
        PointCloud plain = PlyFiles.read(dir.resolve("plain.ply"));
        assertNull(plain.colors());
        assertNull(plain.normals());
        assertEquals(12L * n + header(dir.resolve("plain.ply")), Files.size(dir.resolve("plain.ply")));
    }

    @Test
    void readsOtherWritersLayouts() throws IOException {
        // Double positions, an extra property, a face element with a list, CRLF line ends.
        String ascii = "ply\r\nformat ascii 1.0\r\ncomment made by hand\r\nelement vertex 3\r\nproperty double x\r\n"
                + "property double y\r\nproperty double z\r\nproperty float confidence\r\nelement face 1\r\n"
                + "property list uchar int vertex_indices\r\nend_header\r\n0 0 0 1\r\n1 0 0 1\r\n0 1.5e0 0 1\r\n3 0 1 2\r\n";
        PointCloud c = PlyFiles.decode(ascii.getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(new float[] {0, 0, 0, 1, 0, 0, 0, 1.5f, 0}, c.xyz());
        byte[] head = ("ply\nformat binary_little_endian 1.0\nelement vertex 2\nproperty uchar red\nproperty float x\n"
                + "property float y\nproperty float z\nproperty uchar green\nproperty uchar blue\nelement face 1\n"
                + "property list uchar int vertex_indices\nend_header\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(head.length + 2 * 15 + 1 + 12).order(ByteOrder.LITTLE_ENDIAN).put(head);
        b.put((byte) 255).putFloat(1).putFloat(2).putFloat(3).put((byte) 0).put((byte) 51);
        b.put((byte) 0).putFloat(-1).putFloat(-2).putFloat(-3).put((byte) 102).put((byte) 0);
        b.put((byte) 3).putInt(0).putInt(1).putInt(0);
        PointCloud bc = PlyFiles.decode(b.array());
        assertArrayEquals(new float[] {1, 2, 3, -1, -2, -3}, bc.xyz());
        assertArrayEquals(new float[] {1, 0, 0.2f, 0, 0.4f, 0}, bc.colors());
    }

    @Test
    void malformedFilesGetOneLineErrorsNamingTheFile() throws IOException {
        String good = "ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\nend_header\n";
        String normals = good.replace("end_header", "property float nx\nproperty float ny\nproperty float nz\nend_header");
        String[][] cases = {
            {"not a PLY file", "PLY\nformat ascii 1.0\n"},
            {"no 'end_header'", "ply\nformat ascii 1.0\nelement vertex 1\n"},
            {"line 2: expected 'format", "ply\nformat ascii 2.0\nend_header\n0\n"},
            {"line 3: unknown header entry 'elemnt'", "ply\nformat ascii 1.0\nelemnt vertex 1\nend_header\n0\n"},
            {"line 3: expected 'element NAME COUNT'", "ply\nformat ascii 1.0\nelement vertex -4\nend_header\n0\n"},
            {"line 4: expected 'property TYPE NAME'", "ply\nformat ascii 1.0\nelement vertex 1\nproperty float32x x\nend_header\n0\n"},
            {"no 'vertex' element with properties x, y and z", "ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nend_header\n0\n"},
            {"big-endian", good.replace("ascii", "binary_big_endian") + "xxxxxxxxxxxxxxxxxxxxxxxx"},
            {"declares 2 vertex rows, the file has 1 non-blank lines left", good + "0 0 0\n\n \n"},
            {"line 9: vertex 1 has 2 values", good + "0 0 0\n1 1\n"},
            {"line 10: data after the last element", good + "0 0 0\n1 1 1\n2 2 2\n"},
            {"line 8: 'zero' is not a number", good + "zero 0 0\n1 1 1\n"},
            {"declares 2 vertex rows (24 bytes), the file holds 20", good.replace("ascii", "binary_little_endian") + "x".repeat(20)},
            {"4 bytes after the last element", good.replace("ascii", "binary_little_endian") + "\0".repeat(28)},
            {"declares 9999999999 vertices", good.replace("vertex 2", "vertex 9999999999")},
            {"non-finite coordinate", good + "NaN 0 0\n1 1 1\n"},
            {"line 12: vertex 1 has a non-finite normal", normals + "0 0 0 0 0 1\n1 1 1 NaN 0 0\n"},
            {"line 11: vertex 0 has a non-finite colour", good.replace("end_header", "property float red\nproperty float green\n"
                    + "property float blue\nend_header") + "0 0 0 Infinity 0 0\n1 1 1 0 0 0\n"},
            {"declares 67108865 vertices, more than the 67108864", good.replace("vertex 2", "vertex 67108865")},
            // A file's own text reaches the message shortened and without control characters.
            {"line 8: '?[2J?[31mabcdefghijklmnopqrstuvwxyzabcde...' is not a number", good + "\u001b[2J\u001b[31m"
                    + "abcdefghijklmnopqrstuvwxyz".repeat(1000) + " 0 0\n1 1 1\n"},
            {"line 3: unknown header entry '?elemen'", "ply\nformat ascii 1.0\n\u0007elemen vertex 1\nend_header\n0\n"},
        };
        for (String[] c : cases) {
            Path f = dir.resolve("bad.ply");
            Files.write(f, c[1].getBytes(StandardCharsets.ISO_8859_1));
            PointCloudFormatException e = assertThrows(PointCloudFormatException.class, () -> PlyFiles.read(f), c[0]);
            assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
            assertTrue(e.getMessage().contains(c[0]), c[0] + " <- " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    private static long header(Path f) throws IOException {
        String s = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        return s.indexOf("end_header\n") + "end_header\n".length();
    }
}
