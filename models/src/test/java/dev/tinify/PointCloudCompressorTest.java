package dev.tinify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.runtime.container.PointCloudContainer;
import dev.tinify.runtime.container.TfyReader;
import dev.tinify.runtime.container.TinifyFormatException;
import dev.tinify.runtime.pointcloud.PointCloud;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PointCloudCompressorTest {
    private static PointCloudCompressor open() {
        return PointCloudCompressor.builder("sfu2023-pcc-rec-pointnet").set("num_points", 48).allowUntrained().open();
    }

    private static PointCloud blob(int n, long seed) {
        Random r = new Random(seed);
        float[] xyz = new float[3 * n];
        for (int i = 0; i < xyz.length; i++) {
            xyz[i] = (float) (r.nextGaussian() * 3 + 50);
        }
        return PointCloud.of(xyz);
    }

    @Test
    void aCloudRoundTripsThroughBytesAndFiles(@TempDir Path dir) throws Exception {
        try (PointCloudCompressor tinify = open()) {
            PointCloud cloud = blob(200, 1);
            PointCloudCompressor.Compressed c = tinify.compress(cloud);
            assertEquals(200, c.points());
            assertEquals(48, c.codedPoints());
            assertEquals(8.0 * c.codedBytes() / 200, c.bitsPerPoint(), 1e-12);
            PointCloudContainer container = (PointCloudContainer) TfyReader.parseAny(c.bytes());
            assertEquals(200, container.pointCount());
            assertEquals(c.codedBytes(), container.stringBytes());
            PointCloud back = tinify.decompress(c.bytes());
            assertEquals(48, back.size());
            Path f = dir.resolve("c.tfy");
            Files.write(f, c.bytes());
            assertArrayEquals(back.xyz(), tinify.decompress(f).xyz());
            // The same cloud gives the same bytes; a cloud of exactly num_points is coded without sampling.
            assertArrayEquals(c.bytes(), tinify.compress(cloud).bytes());
            PointCloud exact = blob(48, 2);
            assertEquals(48, tinify.compress(exact).codedPoints());
        }
    }

    @Test
    void imageFilesImageModelsAndUntrainedWeightsAreRefused() {
        try (PointCloudCompressor tinify = open();
                ImageCompressor images = ImageCompressor.builder("bmshj2018-factorized").quality(1).set("N", 8).set("M", 8).allowUntrained()
                        .open()) {
            byte[] image = images.compress(dev.tinify.runtime.image.RgbImage.from8Bit(64, 64, new int[3 * 64 * 64])).bytes();
            String m = assertThrows(TinifyFormatException.class, () -> tinify.decompress(image)).getMessage();
            assertTrue(m.contains("holds an image coded by bmshj2018-factorized, not a point cloud"), m);
        }
        String m = assertThrows(TinifyException.class, () -> PointCloudCompressor.builder("bmshj2018-factorized").quality(1).set("N", 8)
                .set("M", 8).allowUntrained().open()).getMessage();
        assertTrue(m.contains("codes images, not point clouds"), m);
        assertThrows(UntrainedWeightsException.class, () -> PointCloudCompressor.builder("sfu2023-pcc-rec-pointnet").open());
    }
}
