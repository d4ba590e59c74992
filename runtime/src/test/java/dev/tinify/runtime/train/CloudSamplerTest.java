package dev.tinify.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.runtime.pointcloud.PlyFiles;
import dev.tinify.runtime.pointcloud.PointCloud;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloudSamplerTest {
    @TempDir
    Path dir;

    private void clouds() throws Exception {
        Files.writeString(dir.resolve("a.off"), "# a comment\nOFF\n4 4 0\n0 0 0\n4 0 0\n0 4 0\n0 0 4\n3 0 1 2\n3 0 1 3\n3 0 2 3\n3 1 2 3\n");
        Random r = new Random(1);
        float[] xyz = new float[3 * 500];
        for (int i = 0; i < xyz.length; i++) {
            xyz[i] = 100 + (float) r.nextGaussian();
        }
        PlyFiles.write(dir.resolve("b.ply"), PointCloud.of(xyz), PlyFiles.Encoding.BINARY_LITTLE_ENDIAN);
        Files.writeString(dir.resolve("notes.txt"), "not a cloud");
    }

    private static float[] batch(CloudSampler s, long first, int count) {
        FloatBuffer out = FloatBuffer.allocate(count * s.floatsPerSample());
        s.batch(first, count, out);
        return out.array();
    }

    @Test
    void samplesAreSeededPerSampleNumberAndNormalized() throws Exception {
        clouds();
        CloudSampler s = new CloudSampler(dir, 64, 7);
        assertEquals(2, s.size());
        assertEquals(new ai.djl.ndarray.types.Shape(4, 64, 3), s.shape(4));
        float[] four = batch(s, 10, 4);
        float[] two = batch(s, 12, 2);
        assertArrayEquals(Arrays.copyOfRange(four, 2 * 64 * 3, 4 * 64 * 3), two);
        assertArrayEquals(four, batch(new CloudSampler(dir, 64, 7), 10, 4));
        for (int k = 0; k < 4; k++) {
            double max = 0;
            double[] mean = new double[3];
            for (int i = 0; i < 64 * 3; i++) {
                float v = four[k * 64 * 3 + i];
                max = Math.max(max, Math.abs(v));
                mean[i % 3] += v / 64;
            }
            assertEquals(1, max, 1e-6, "sample " + k + " spans [-1, 1]");
            for (double m : mean) {
                assertEquals(0, m, 1e-5, "sample " + k + " is centred");
            }
        }
        assertEquals(2, CloudSampler.validation(dir, 32, 7).size());
    }

    @Test
    void aFolderWithoutCloudsOrWithABadOneIsNamed() throws Exception {
        String m = assertThrows(IllegalArgumentException.class, () -> new CloudSampler(dir, 8, 0)).getMessage();
        assertTrue(m.contains("no point clouds"), m);
        Files.writeString(dir.resolve("bad.ply"), "ply\nformat ascii 1.0\nelement vertex 2\nend_header\n");
        m = assertThrows(IllegalArgumentException.class, () -> new CloudSampler(dir, 8, 0)).getMessage();
        assertTrue(m.contains(dir.resolve("bad.ply").toString()), m);
    }
}
