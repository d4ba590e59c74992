package dev.tinify.runtime.video.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.runtime.image.RgbImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** YUV4MPEG2 reading and writing, the colour conversions, and the one-line errors of damaged files. */
class Y4mTest {

    private static byte[] y4m(String header, int frames, int samplesPerFrame, long seed) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((header + "\n").getBytes(StandardCharsets.US_ASCII));
        SplittableRandom r = new SplittableRandom(seed);
        for (int f = 0; f < frames; f++) {
            out.writeBytes("FRAME\n".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < samplesPerFrame; i++) {
                out.write(16 + r.nextInt(224));
            }
        }
        return out.toByteArray();
    }

    @Test
    void fullRange709MatchesTheStandardFormulas() {
        // Y=100, Cb=150, Cr=60, full range: R = Y + 1.5748 (Cr - 0.5), B = Y + 1.8556 (Cb - 0.5), G from the luma equation.
        YuvFrame f = new YuvFrame(1, 1, Chroma.C444, new byte[] {100}, new byte[] {(byte) 150}, new byte[] {60});
        RgbImage rgb = f.toRgb(ColorSpace.COMPRESSAI);
        double y = 100 / 255.0;
        double r = y + 1.5748 * (60 / 255.0 - 0.5);
        double b = y + 1.8556 * (150 / 255.0 - 0.5);
        double g = (y - 0.2126 * r - 0.0722 * b) / 0.7152;
        assertEquals(r, rgb.data()[0], 1e-6);
        assertEquals(g, rgb.data()[1], 1e-6);
        assertEquals(b, rgb.data()[2], 1e-6);
    }

    @Test
    void limited601MapsNominalBlackAndWhite() {
        YuvFrame black = new YuvFrame(1, 1, Chroma.C444, new byte[] {16}, new byte[] {(byte) 128}, new byte[] {(byte) 128});
        YuvFrame white = new YuvFrame(1, 1, Chroma.C444, new byte[] {(byte) 235}, new byte[] {(byte) 128}, new byte[] {(byte) 128});
        ColorSpace cs = ColorSpace.of("bt601", "limited");
        for (float v : black.toRgb(cs).data()) {
            assertEquals(0, v, 1e-6);
        }
        for (float v : white.toRgb(cs).data()) {
            assertEquals(1, v, 1e-6);
        }
    }

    @ParameterizedTest
    @CsvSource({"bt709, full", "bt601, full", "bt709, limited", "bt601, limited"})
    void fourFourFourSamplesSurviveAConversionRoundTrip(String matrix, String range) {
        ColorSpace cs = ColorSpace.of(matrix, range);
        int w = 7;
        int h = 5;
        SplittableRandom r = new SplittableRandom(3);
        byte[][] planes = new byte[3][w * h];
        for (byte[] p : planes) {
            for (int i = 0; i < p.length; i++) {
                p[i] = (byte) (cs.fullRange() ? r.nextInt(256) : 16 + r.nextInt(220));
            }
        }
        YuvFrame f = new YuvFrame(w, h, Chroma.C444, planes[0], planes[1], planes[2]);
        YuvFrame back = YuvFrame.fromRgb(f.toRgb(cs), Chroma.C444, cs);
        assertArrayEquals(planes[0], back.y());
        assertArrayEquals(planes[1], back.u());
        assertArrayEquals(planes[2], back.v());
    }

    /** Keys' cubic convolution kernel with a = -0.75 (PyTorch's bicubic). */
    private static double keys(double d) {
        double a = -0.75;
        d = Math.abs(d);
        if (d <= 1) {
            return ((a + 2) * d - (a + 3)) * d * d + 1;
        }
        return d < 2 ? ((a * d - 5 * a) * d + 8 * a) * d - 4 * a : 0;
    }

    @Test
    void chromaIsUpsampledByPyTorchsBicubic() {
        int w = 16;
        int h = 4;
        byte[] y = new byte[w * h];
        byte[] u = new byte[w / 2 * h / 2];
        int[] row = {100, 108, 130, 90, 60, 200, 140, 120};
        for (int i = 0; i < u.length; i++) {
            u[i] = (byte) row[i % (w / 2)];
        }
        RgbImage rgb = new YuvFrame(w, h, Chroma.C420, y, u, u.clone()).toRgb(ColorSpace.COMPRESSAI);
        // With Y = 0 and Cb = Cr, B = 1.8556 (Cb - 0.5): recover the upsampled Cb from B.
        for (int x = 0; x < w; x++) {
            double pos = (x + 0.5) / 2 - 0.5;
            int lower = (int) Math.floor(pos);
            double expected = 0;
            for (int j = lower - 1; j <= lower + 2; j++) {
                expected += keys(pos - j) * row[Math.max(0, Math.min(w / 2 - 1, j))] / 255.0;
            }
            double cb = rgb.data()[2 * w * h + w + x] / 1.8556 + 0.5;
            assertEquals(expected, cb, 1e-5, "x = " + x);
        }
    }

    @ParameterizedTest
    @CsvSource({"C420jpeg, 6, 4, 36", "C444, 6, 4, 72", "C420, 5, 3, 27"})
    void readsAndWritesFrameByFrame(String tag, int w, int h, int samples, @TempDir Path dir) throws IOException {
        Path in = dir.resolve("in.y4m");
        Files.write(in, y4m("YUV4MPEG2 W" + w + " H" + h + " F30000:1001 Ip A1:1 " + tag + " XYSCSS=420JPEG", 3, samples, 1));
        Path out = dir.resolve("out.y4m");
        try (FrameReader r = Y4m.open(in, ColorSpace.COMPRESSAI)) {
            VideoFormat f = r.format();
            assertEquals(w, f.width());
            assertEquals(h, f.height());
            assertEquals(30000.0 / 1001, f.fps(), 1e-9);
            assertEquals(tag.equals("C444") ? Chroma.C444 : Chroma.C420, f.chroma());
            try (FrameWriter wr = Y4m.create(out, f, ColorSpace.COMPRESSAI)) {
                RgbImage frame;
                int n = 0;
                while ((frame = r.next()) != null) {
                    wr.write(frame);
                    n++;
                }
                assertEquals(3, n);
                assertFalse(Files.exists(out), "nothing at the destination before finish");
                wr.finish();
            }
        }
        try (FrameReader r = Y4m.open(out, ColorSpace.COMPRESSAI)) {
            for (int i = 0; i < 3; i++) {
                assertTrue(r.next() != null);
            }
            assertNull(r.next());
        }
        if (tag.equals("C444")) {
            // 4:4:4 survives the RGB detour sample for sample; the header is rewritten in Tinify's form.
            byte[] a = Files.readAllBytes(in);
            byte[] b = Files.readAllBytes(out);
            int ha = indexOf(a, (byte) '\n');
            int hb = indexOf(b, (byte) '\n');
            assertArrayEquals(java.util.Arrays.copyOfRange(a, ha, a.length), java.util.Arrays.copyOfRange(b, hb, b.length));
        }
        try (var s = Files.list(dir)) {
            assertEquals(2, s.count(), "no temporary file left behind");
        }
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "RIFF W4 H4 F25:1|not a YUV4MPEG2 file",
            "YUV4MPEG2 H4 F25:1|has no width",
            "YUV4MPEG2 W4 H4|has no frame rate",
            "YUV4MPEG2 W4 H4 F25:0|frame rate denominator '0'",
            "YUV4MPEG2 W4 H4 F25:1 C420p10|colour space C420p10 is not supported",
            "YUV4MPEG2 W4 H4 F25:1 Cmono|colour space Cmono is not supported",
            "YUV4MPEG2 W4 H4 F25:1 It|interlaced video",
            "YUV4MPEG2 W-4 H4 F25:1|width '-4'",
            "YUV4MPEG2 W100000 H100000 F25:1|out of range",
            "YUV4MPEG2 W4 H4 F25:1 Q9|unknown header tag 'Q9'"})
    void refusesBadHeadersInOneLine(String header, String expected, @TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.y4m");
        Files.write(file, y4m(header, 1, 24, 1));
        IOException e = assertThrows(IOException.class, () -> Y4m.open(file, ColorSpace.COMPRESSAI).close());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void refusesTruncatedAndMislabelledFrames(@TempDir Path dir) throws IOException {
        byte[] good = y4m("YUV4MPEG2 W4 H4 F25:1 C420jpeg", 2, 24, 1);
        Path cut = dir.resolve("cut.y4m");
        Files.write(cut, java.util.Arrays.copyOf(good, good.length - 5));
        try (FrameReader r = Y4m.open(cut, ColorSpace.COMPRESSAI)) {
            assertTrue(r.next() != null);
            IOException e = assertThrows(IOException.class, r::next);
            assertTrue(e.getMessage().contains("frame 1 is truncated"), e.getMessage());
        }
        Path noFrame = dir.resolve("noframe.y4m");
        byte[] bad = good.clone();
        bad[new String(good, StandardCharsets.US_ASCII).indexOf("FRAME")] = 'X';
        Files.write(noFrame, bad);
        try (FrameReader r = Y4m.open(noFrame, ColorSpace.COMPRESSAI)) {
            IOException e = assertThrows(IOException.class, r::next);
            assertTrue(e.getMessage().contains("frame 0 does not start with FRAME"), e.getMessage());
        }
        Path noNewline = dir.resolve("long.y4m");
        Files.write(noNewline, new byte[10_000]);
        IOException e = assertThrows(IOException.class, () -> Y4m.open(noNewline, ColorSpace.COMPRESSAI).close());
        assertTrue(e.getMessage().contains("longer than"), e.getMessage());
    }
}
