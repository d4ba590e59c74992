package dev.tinify.runtime.container;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.Tiling;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TfyContainerTest {
    static final String SAMPLE_WEIGHTS = "00112233445566778899aabbccddeeff";

    /** A random valid container: every field drawn from its whole range, strings of random bytes. */
    static TfyContainer random(Random r) {
        int streams = 1 + r.nextInt(3);
        int batch = 1 + r.nextInt(2);
        List<List<byte[]>> strings = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            List<byte[]> stream = new ArrayList<>();
            for (int b = 0; b < batch; b++) {
                byte[] bytes = new byte[r.nextInt(r.nextBoolean() ? 8 : 300)];
                r.nextBytes(bytes);
                stream.add(bytes);
            }
            strings.add(stream);
        }
        StringBuilder hash = new StringBuilder();
        int hashBytes = 1 + r.nextInt(32);
        for (int i = 0; i < hashBytes; i++) {
            hash.append(String.format("%02x", r.nextInt(256)));
        }
        // A quarter without a fingerprint: version 1 files.
        String weights = null;
        if (r.nextInt(4) > 0) {
            byte[] f = new byte[StateDicts.FINGERPRINT_BYTES];
            r.nextBytes(f);
            weights = HexFormat.of().formatHex(f);
        }
        int h = 1 + r.nextInt(3000);
        int w = 1 + r.nextInt(3000);
        return new TfyContainer("arch-" + r.nextInt(1000) + (r.nextBoolean() ? "-é" : ""), hash.toString(), weights,
                r.nextInt(65536), r.nextBoolean() ? "mse" : "ms-ssim", "ans", "libtorch", h, w,
                Padding.forStride(h, w, 1 << r.nextInt(7)), randomShape(r, 0), strings);
    }

    private static Object randomShape(Random r, int depth) {
        int kind = depth >= 3 ? 0 : r.nextInt(3);
        if (kind == 0) {
            return r.nextInt(4) == 0 ? r.nextInt() : r.nextInt(100);
        }
        int n = r.nextInt(4);
        if (kind == 1) {
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                list.add(randomShape(r, depth + 1));
            }
            return list;
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            map.put("k" + i, randomShape(r, depth + 1));
        }
        return map;
    }

    static TfyContainer sample() {
        return new TfyContainer("bmshj2018-hyperprior", "0123456789abcdef", SAMPLE_WEIGHTS, 3, "mse", "ans", "libtorch", 512, 768,
                Padding.forStride(512, 768, 64), Map.of("y", List.of(8, 12), "hyper", List.of(List.of(2, 3))),
                List.of(List.of(new byte[] {1, 2, 3}), List.of(new byte[] {4, 5})));
    }

    @Test
    void randomContainersRoundTripExactly() throws Exception {
        Random r = new Random(42);
        for (int i = 0; i < 500; i++) {
            TfyContainer c = random(r);
            byte[] bytes = c.toBytes();
            TfyContainer back = TfyContainer.parse(bytes);
            assertEquals(c, back);
            assertArrayEquals(bytes, back.toBytes());
        }
    }

    @Test
    void layoutStartsWithMagicVersionAndEndsWithCrc32c() throws Exception {
        byte[] b = sample().toBytes();
        assertArrayEquals(new byte[] {(byte) 0x89, 'T', 'F', 'Y', 2}, Arrays.copyOf(b, 5));
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        long stored = (b[b.length - 4] & 0xffL) << 24 | (b[b.length - 3] & 0xffL) << 16 | (b[b.length - 2] & 0xffL) << 8
                | (b[b.length - 1] & 0xffL);
        assertEquals(crc.getValue(), stored);
        // architecture name follows the version as length + UTF-8.
        assertEquals(20, b[5]);
        assertEquals("bmshj2018-hyperprior", new String(b, 6, 20, StandardCharsets.UTF_8));
        // Then the spec hash as length + bytes, then the weights fingerprint's 16 raw bytes.
        assertEquals(8, b[26]);
        assertEquals("0123456789abcdef", HexFormat.of().formatHex(b, 27, 35));
        assertEquals(SAMPLE_WEIGHTS, HexFormat.of().formatHex(b, 35, 35 + StateDicts.FINGERPRINT_BYTES));
    }

    /** {@link #sample()}'s file as version 1 wrote it: no fingerprint after the spec hash, version byte 1. */
    private static byte[] sampleVersion1() {
        byte[] v2 = sample().toBytes();
        byte[] v1 = new byte[v2.length - StateDicts.FINGERPRINT_BYTES];
        System.arraycopy(v2, 0, v1, 0, 35);
        System.arraycopy(v2, 35 + StateDicts.FINGERPRINT_BYTES, v1, 35, v1.length - 35);
        v1[4] = 1;
        return withCrc(v1);
    }

    @Test
    void versionOneFilesStillReadAndWriteBackUnchanged() throws Exception {
        byte[] v1 = sampleVersion1();
        TfyContainer c = TfyContainer.parse(v1);
        assertNull(c.weightsFingerprint());
        assertEquals(1, c.formatVersion());
        TfyContainer s = sample();
        assertEquals(new TfyContainer(s.architecture(), s.specHash(), null, s.quality(), s.metric(), s.entropyCoder(),
                s.entropyParams(), s.height(), s.width(), s.padding(), s.latentShape(), s.strings()), c);
        assertArrayEquals(v1, c.toBytes());
    }

    @Test
    void weightsFingerprintRoundTripsAndTakesPartInEquality() throws Exception {
        TfyContainer c = TfyContainer.parse(sample().toBytes());
        assertEquals(SAMPLE_WEIGHTS, c.weightsFingerprint());
        assertEquals(2, c.formatVersion());
        assertNotEquals(c, TfyContainer.parse(sampleVersion1()));
        TfyContainer other = new TfyContainer(c.architecture(), c.specHash(), "f" + SAMPLE_WEIGHTS.substring(1), c.quality(),
                c.metric(), c.entropyCoder(), c.entropyParams(), c.height(), c.width(), c.padding(), c.latentShape(), c.strings());
        assertNotEquals(c, other);
        assertEquals(other, TfyContainer.parse(other.toBytes()));
    }

    @Test
    void flippedFingerprintByteFailsTheChecksum() {
        for (int i = 35; i < 35 + StateDicts.FINGERPRINT_BYTES; i++) {
            byte[] b = sample().toBytes();
            b[i] ^= 0x01;
            assertTrue(error(b).startsWith("checksum mismatch"), i + ": " + error(b));
        }
    }

    @Test
    void truncationInsideTheFingerprintNamesIt() {
        // A version 2 file cut in the middle of the fingerprint, given a valid checksum: the field check speaks.
        byte[] b = withCrc(Arrays.copyOf(sample().toBytes(), 35 + 7 + 4));
        String m = error(b);
        assertTrue(m.contains("truncated") && m.contains("weights fingerprint"), m);
    }

    @Test
    void writeAndReadFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.tfy");
        sample().write(f);
        assertEquals(sample(), TfyContainer.read(f));
    }

    private static String error(byte[] bytes) {
        return assertThrows(TinifyFormatException.class, () -> TfyContainer.parse(bytes)).getMessage();
    }

    @Test
    void emptyFileIsNamed() {
        assertTrue(error(new byte[0]).contains("empty file"), error(new byte[0]));
    }

    @Test
    void otherFormatsAreRecognised() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0};
        assertTrue(error(png).contains("PNG image"), error(png));
        byte[] jpeg = {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0, 0};
        assertTrue(error(jpeg).contains("JPEG image"), error(jpeg));
        byte[] st = new byte[20];
        st[0] = 4;
        st[8] = '{';
        st[11] = '}';
        assertTrue(error(st).contains("safetensors"), error(st));
        byte[] text = "hello world".getBytes(StandardCharsets.US_ASCII);
        assertTrue(error(text).contains("0x68656c6c"), error(text));
    }

    @Test
    void futureVersionAsksForAnUpdate() {
        byte[] b = sample().toBytes();
        b[4] = 5;
        String m = error(b);
        assertTrue(m.contains("version 5") && m.contains("update"), m);
    }

    /** A 600x300 image in 256-pixel tiles with a 32-pixel overlap: three by two tiles, one segment each. */
    static TfyContainer tiled() {
        Tiling tiling = new Tiling(256, 32);
        List<LatentSegment> segments = new ArrayList<>();
        for (int i = 0; i < tiling.count(300, 600); i++) {
            segments.add(new LatentSegment(List.of(4 + i, 4), List.of(List.of(new byte[] {(byte) i, 1, 2}))));
        }
        return new TfyContainer(TfyKind.IMAGE, "arch", "abcd", SAMPLE_WEIGHTS, 3, null, "mse", "ans", "libtorch", 300, 600,
                Padding.NONE, tiling, segments);
    }

    /** {@link #sample()} coded at a fractional quality between levels 3 and 4, whole or in {@link #tiled()}'s tiles. */
    static TfyContainer fractional(TfyContainer c, double quality) {
        return new TfyContainer(c.kind(), c.architecture(), c.specHash(), c.weightsFingerprint(), c.quality(), quality,
                c.metric(), c.entropyCoder(), c.entropyParams(), c.height(), c.width(), c.padding(), c.tiling(), c.segments());
    }

    @Test
    void fractionalQualityRoundTripsAsVersion4() throws Exception {
        for (TfyContainer plain : List.of(sample(), tiled())) {
            for (double q : new double[] {3.5, 3.000001, Math.nextDown(4.0), 3.0 + 1.0 / 3}) {
                TfyContainer c = fractional(plain, q);
                byte[] b = c.toBytes();
                assertEquals(4, b[4]);
                TfyContainer back = TfyContainer.parse(b);
                assertEquals(c, back);
                assertEquals(q, back.qualityValue());
                assertEquals(3, back.quality());
            }
            // Without one, the file keeps the older version it had.
            assertEquals(plain.formatVersion(), TfyContainer.parse(plain.toBytes()).formatVersion());
            assertEquals(3.0, plain.qualityValue());
        }
    }

    @Test
    void fractionalQualityMustLieBetweenItsLevels() {
        for (double q : new double[] {3.0, 4.0, 2.5, 4.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fractional(sample(), q));
            assertTrue(e.getMessage().contains("strictly between quality 3 and 4"), e.getMessage());
        }
        // A damaged double in the file (4.5 for quality 3) is refused on one line.
        byte[] b = fractional(sample(), 3.5).toBytes();
        byte[] half = java.nio.ByteBuffer.allocate(8).putDouble(3.5).array();
        byte[] bad = java.nio.ByteBuffer.allocate(8).putDouble(4.5).array();
        int at = indexOf(b, half);
        System.arraycopy(bad, 0, b, at, 8);
        String m = error(withCrc(b));
        assertTrue(m.contains("fractional quality 4.5 does not lie strictly between quality 3 and 4"), m);
    }

    private static int indexOf(byte[] b, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= b.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (b[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void tiledImageRoundTripsAsVersion3() throws Exception {
        TfyContainer c = tiled();
        assertEquals(6, c.segments().size());
        byte[] b = c.toBytes();
        assertEquals(3, b[4]);
        assertEquals(TfyKind.IMAGE.code(), b[5]);
        TfyContainer back = TfyContainer.parse(b);
        assertEquals(c, back);
        assertEquals(new Tiling(256, 32), back.tiling());
        assertEquals(6L * 3, back.stringBytes());
        assertThrows(IllegalStateException.class, back::strings);
    }

    @Test
    void unknownContentKindAsksForAnUpdate() {
        byte[] b = tiled().toBytes();
        b[5] = 7;
        String m = error(b);
        assertTrue(m.contains("content kind 7") && m.contains("update"), m);
    }

    @Test
    void segmentCountMustMatchTheTiles() {
        TfyContainer c = tiled();
        List<LatentSegment> fewer = c.segments().subList(0, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TfyContainer(c.kind(),
                c.architecture(), c.specHash(), c.weightsFingerprint(), c.quality(), null, c.metric(), c.entropyCoder(),
                c.entropyParams(), c.height(), c.width(), c.padding(), c.tiling(), fewer));
        assertTrue(e.getMessage().contains("needs 6 latent segments, got 5"), e.getMessage());
    }

    @Test
    void truncationIsReportedAsSuch() {
        byte[] b = sample().toBytes();
        for (int n = 5; n < b.length; n++) {
            String m = error(Arrays.copyOf(b, n));
            assertTrue(m.contains("truncated") || m.contains("checksum"), n + ": " + m);
        }
        String m = error(Arrays.copyOf(b, b.length - 6));
        assertTrue(m.contains("truncated"), m);
    }

    @Test
    void flippedPayloadBitFailsTheChecksum() {
        byte[] b = sample().toBytes();
        b[b.length - 6] ^= 0x10; // inside the last string
        assertTrue(error(b).startsWith("checksum mismatch"), error(b));
    }

    @Test
    void absurdLengthIsRejectedBeforeAllocation() {
        TfyContainer c = sample();
        byte[] b = c.toBytes();
        // The last string's length entry: patch it to a huge varint by rebuilding with a hand-made tail.
        byte[] body = Arrays.copyOf(b, b.length - 4 - 5); // strip both strings and the CRC
        int lenPos = body.length - 2; // the two one-byte length entries (3 and 2)
        assertEquals(3, body[lenPos]);
        byte[] patched = new byte[lenPos + 5 + 4];
        System.arraycopy(body, 0, patched, 0, lenPos);
        byte[] huge = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07};
        System.arraycopy(huge, 0, patched, lenPos, 5);
        String m = error(withCrc(patched));
        assertTrue(m.contains("truncated") || m.contains("string length"), m);
    }

    /** Replaces the last four bytes with the correct CRC-32C, so field checks are reached. */
    static byte[] withCrc(byte[] b) {
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        long c = crc.getValue();
        b[b.length - 4] = (byte) (c >>> 24);
        b[b.length - 3] = (byte) (c >>> 16);
        b[b.length - 2] = (byte) (c >>> 8);
        b[b.length - 1] = (byte) c;
        return b;
    }

    @Test
    void trailingGarbageIsRejected() {
        byte[] b = sample().toBytes();
        byte[] longer = withCrc(Arrays.copyOf(b, b.length + 3));
        String m = error(longer);
        assertTrue(m.contains("unexpected bytes"), m);
    }

    @Test
    void invalidFieldsAreRejectedOnConstruction() {
        TfyContainer s = sample();
        assertThrows(IllegalArgumentException.class, () -> new TfyContainer("", s.specHash(), null, 1, "mse", "ans", "libtorch", 4, 4,
                Padding.NONE, List.of(4), s.strings()));
        assertThrows(IllegalArgumentException.class, () -> new TfyContainer("a", "ABC", null, 1, "mse", "ans", "libtorch", 4, 4,
                Padding.NONE, List.of(4), s.strings()));
        assertThrows(IllegalArgumentException.class, () -> new TfyContainer("a", "ab", null, 70000, "mse", "ans", "libtorch", 4, 4,
                Padding.NONE, List.of(4), s.strings()));
        assertThrows(IllegalArgumentException.class, () -> new TfyContainer("a", "ab", null, 1, "mse", "ans", "libtorch", 0, 4,
                Padding.NONE, List.of(4), s.strings()));
        assertThrows(IllegalArgumentException.class, () -> new TfyContainer("a", "ab", null, 1, "mse", "ans", "libtorch", 4, 4,
                Padding.NONE, List.of(4.5), s.strings()));
        assertThrows(IllegalArgumentException.class, () -> new TfyContainer("a", "ab", null, 1, "mse", "ans", "libtorch", 4, 4,
                Padding.NONE, List.of(4), List.of(List.of(new byte[1]), List.of())));
        String upper = SAMPLE_WEIGHTS.toUpperCase(java.util.Locale.ROOT);
        for (String weights : List.of(upper, SAMPLE_WEIGHTS.substring(2), SAMPLE_WEIGHTS + "00", "")) {
            assertThrows(IllegalArgumentException.class, () -> new TfyContainer("a", "ab", weights, 1, "mse", "ans", "libtorch", 4, 4,
                    Padding.NONE, List.of(4), s.strings()), weights);
        }
    }

    @Test
    void longShapeValuesAreNormalisedToInteger() throws Exception {
        TfyContainer c = new TfyContainer("a", "ab", null, 1, "mse", "ans", "libtorch", 4, 4, Padding.NONE, List.of(4L, 5),
                List.of(List.of(new byte[0])));
        assertEquals(List.of(4, 5), c.latentShape());
        assertEquals(c, TfyContainer.parse(c.toBytes()));
    }
}
