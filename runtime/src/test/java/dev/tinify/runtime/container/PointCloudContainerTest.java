package dev.tinify.runtime.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.pointcloud.Normalization;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PointCloudContainerTest {
    /** A random valid point-cloud container: every field from its range, one segment of random strings. */
    static PointCloudContainer random(Random r) {
        byte[] f = new byte[StateDicts.FINGERPRINT_BYTES];
        r.nextBytes(f);
        byte[] string = new byte[r.nextInt(r.nextBoolean() ? 8 : 400)];
        r.nextBytes(string);
        Object shape = r.nextBoolean() ? List.of(1) : java.util.Map.of("y_2", List.of(16, 1), "y_3", List.of(1, 1));
        return new PointCloudContainer("cloud-" + r.nextInt(100), "abcdef0123", HexFormat.of().formatHex(f), r.nextInt(65536),
                "mse", "ans", "libtorch", 1 + r.nextInt(PointCloudContainer.MAX_POINTS),
                new Normalization((float) r.nextGaussian() * 100, (float) r.nextGaussian(), -3.5f, 0.001f + r.nextFloat() * 50),
                new LatentSegment(shape, List.of(List.of(string))));
    }

    static PointCloudContainer sample() {
        return new PointCloudContainer("sfu2023-pcc-rec-pointnet", "0123456789abcdef", TfyContainerTest.SAMPLE_WEIGHTS, 0, "mse",
                "ans", "libtorch", 1024, new Normalization(1.5f, -2f, 0.25f, 0.75f),
                new LatentSegment(List.of(1), List.of(List.of(new byte[] {9, 8, 7, 6, 5}))));
    }

    /** Where the normalization's four floats start in {@link #sample()}'s bytes. */
    private static int normalizationOffset(byte[] b) {
        // magic, version, kind, architecture (1 + 24), hash (1 + 8), fingerprint 16, quality, 3 texts, point count (2 bytes)
        return 4 + 1 + 1 + 25 + 9 + 16 + 1 + 4 + 4 + 9 + 2;
    }

    @Test
    void everyFieldRoundTrips() throws Exception {
        Random r = new Random(17);
        for (int i = 0; i < 200; i++) {
            PointCloudContainer c = random(r);
            TfyFile back = TfyReader.parseAny(c.toBytes());
            assertEquals(c, back);
            assertEquals(TfyKind.POINT_CLOUD, back.kind());
        }
    }

    @Test
    void layoutIsVersion3KindOneWithBigEndianFloats() {
        PointCloudContainer c = sample();
        byte[] b = c.toBytes();
        assertEquals(3, b[4]);
        assertEquals(1, b[5]);
        ByteBuffer floats = ByteBuffer.wrap(b, normalizationOffset(b), 16);
        assertEquals(1.5f, floats.getFloat());
        assertEquals(-2f, floats.getFloat());
        assertEquals(0.25f, floats.getFloat());
        assertEquals(0.75f, floats.getFloat());
        // 5 string bytes over 1024 points.
        assertEquals(40.0 / 1024, c.bitsPerPoint());
    }

    @Test
    void anImageReaderSaysTheFileHoldsAPointCloud(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.tfy");
        sample().write(f);
        String m = assertThrows(TinifyFormatException.class, () -> TfyContainer.read(f)).getMessage();
        assertTrue(m.startsWith(f + ": ") && m.contains("holds a point cloud coded by sfu2023-pcc-rec-pointnet, not an image"), m);
        assertInstanceOf(PointCloudContainer.class, TfyReader.readAny(f));
        assertEquals("this .tfy file holds a point cloud coded by sfu2023-pcc-rec-pointnet, not an image",
                assertThrows(TinifyFormatException.class, () -> TfyContainer.parse(Files.readAllBytes(f))).getMessage());
    }

    private static String error(byte[] bytes) {
        return assertThrows(TinifyFormatException.class, () -> TfyReader.parseAny(bytes)).getMessage();
    }

    @Test
    void aBadNormalizationIsRefusedAtItsByte() {
        byte[] b = sample().toBytes();
        int at = normalizationOffset(b);
        for (float bad : new float[] {0f, -1f, Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE}) {
            byte[] c = b.clone();
            ByteBuffer.wrap(c, at + 12, 4).putFloat(bad);
            TfyContainerTest.withCrc(c);
            String m = error(c);
            assertTrue(m.contains("at byte " + at) && m.contains("normalization scale"), bad + ": " + m);
        }
        byte[] c = b.clone();
        ByteBuffer.wrap(c, at, 4).putFloat(Float.NaN);
        TfyContainerTest.withCrc(c);
        assertTrue(error(c).contains("centre must be finite"), error(c));
    }

    @Test
    void aPointCountOfZeroOrAboveTheLimitIsRefused() {
        byte[] b = sample().toBytes();
        int at = normalizationOffset(b) - 2;
        byte[] zero = new byte[b.length - 1];
        System.arraycopy(b, 0, zero, 0, at);
        zero[at] = 0;
        System.arraycopy(b, at + 2, zero, at + 1, b.length - at - 2);
        TfyContainerTest.withCrc(zero);
        assertTrue(error(zero).contains("at least one point"), error(zero));
        assertThrows(IllegalArgumentException.class, () -> new PointCloudContainer("a", "ab", TfyContainerTest.SAMPLE_WEIGHTS, 0,
                "mse", "ans", "libtorch", PointCloudContainer.MAX_POINTS + 1, Normalization.IDENTITY, sample().segment()));
    }

    @Test
    void aPointCloudInFormatVersionFourIsRefusedAtItsFractionalQuality() {
        byte[] b = sample().toBytes();
        // Version 4 puts eight bytes of fractional quality after the quality (here one byte, after the fingerprint).
        int at = 4 + 1 + 1 + 25 + 9 + 16 + 1;
        byte[] v4 = new byte[b.length + 8];
        System.arraycopy(b, 0, v4, 0, at);
        java.nio.ByteBuffer.wrap(v4, at, 8).putDouble(0.5);
        System.arraycopy(b, at, v4, at + 8, b.length - at);
        v4[4] = 4;
        TfyContainerTest.withCrc(v4);
        String m = error(v4);
        assertTrue(m.contains("a point cloud records no fractional quality (format version 4; point clouds are version 3)"), m);
    }

    @Test
    void truncationAndTrailingBytesAreRefused() {
        byte[] b = sample().toBytes();
        for (int n = 6; n < b.length; n++) {
            String m = error(Arrays.copyOf(b, n));
            assertTrue(m.contains("truncated") || m.contains("checksum"), n + ": " + m);
        }
        byte[] longer = Arrays.copyOf(b, b.length + 3);
        TfyContainerTest.withCrc(longer);
        assertTrue(error(longer).contains("3 unexpected bytes after the strings"), error(longer));
    }
}
