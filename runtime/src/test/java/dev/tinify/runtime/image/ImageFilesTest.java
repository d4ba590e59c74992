package dev.tinify.runtime.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFilesTest {
    private static byte[] png(BufferedImage im) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(im, "png", out));
        return out.toByteArray();
    }

    @Test
    void eightBitPngRoundTripsExactly(@TempDir Path dir) throws IOException {
        RgbImage im = RgbImageTest.random(13, 9, 5).rounded8Bit();
        Path f = dir.resolve("a.png");
        ImageFiles.writePng(im, f);
        RgbImage back = ImageFiles.read(f);
        assertArrayEquals(im.to8Bit(), back.to8Bit());
        assertArrayEquals(im.data(), back.data());
    }

    @Test
    void sixteenBitGreyIsScaledBy65535AndReplicated() throws IOException {
        BufferedImage g = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        g.getRaster().setSample(0, 0, 0, 65535);
        g.getRaster().setSample(1, 0, 0, 32768);
        RgbImage im = ImageFiles.decode(png(g), AlphaMode.DROP);
        for (int c = 0; c < 3; c++) {
            assertEquals(1f, im.get(c, 0, 0));
            assertEquals(32768f / 65535f, im.get(c, 0, 1), 1e-7);
        }
    }

    @Test
    void sixteenBitRgbIsScaledBy65535() throws IOException {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster r = cm.createCompatibleWritableRaster(1, 1);
        r.setPixel(0, 0, new int[] {65535, 257, 1000});
        BufferedImage im = new BufferedImage(cm, r, false, null);
        RgbImage out = ImageFiles.decode(png(im), AlphaMode.DROP);
        assertEquals(1f, out.get(0, 0, 0));
        assertEquals(257f / 65535f, out.get(1, 0, 0), 1e-7);
        assertEquals(1000f / 65535f, out.get(2, 0, 0), 1e-7);
    }

    @Test
    void alphaIsDroppedOrCompositedOnWhite() throws IOException {
        BufferedImage im = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        im.setRGB(0, 0, 0x40ff0000); // red at alpha 64/255
        byte[] bytes = png(im);
        RgbImage dropped = ImageFiles.decode(bytes, AlphaMode.DROP);
        assertEquals(1f, dropped.get(0, 0, 0));
        assertEquals(0f, dropped.get(1, 0, 0));
        RgbImage white = ImageFiles.decode(bytes, AlphaMode.COMPOSITE_WHITE);
        float a = 64f / 255f;
        assertEquals(1f, white.get(0, 0, 0), 1e-6);
        assertEquals(1 - a, white.get(1, 0, 0), 1e-6);
        assertEquals(1 - a, white.get(2, 0, 0), 1e-6);
    }

    @Test
    void paletteEntriesAreLookedUp() throws IOException {
        byte[] r = {0, (byte) 200};
        byte[] g = {0, 10};
        byte[] b = {0, 99};
        BufferedImage im = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_BINARY, new IndexColorModel(1, 2, r, g, b));
        im.getRaster().setSample(1, 0, 0, 1);
        RgbImage out = ImageFiles.decode(png(im), AlphaMode.DROP);
        assertArrayEquals(new int[] {0, 200, 0, 10, 0, 99}, out.to8Bit());
    }

    @Test
    void greyJpegGivesEqualChannels() throws IOException {
        BufferedImage im = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < 16; i++) {
            im.getRaster().setSample(i, i, 0, 16 * i);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(im, "jpeg", out));
        RgbImage rgb = ImageFiles.decode(out.toByteArray(), AlphaMode.DROP);
        int[] v = rgb.to8Bit();
        int plane = 16 * 16;
        for (int i = 0; i < plane; i++) {
            assertEquals(v[i], v[plane + i]);
            assertEquals(v[i], v[2 * plane + i]);
        }
    }

    @Test
    void pnmSixteenBitAndEightBit() throws IOException {
        byte[] header = "P5\n# comment\n2 1\n65535\n".getBytes(StandardCharsets.US_ASCII);
        byte[] f = Arrays.copyOf(header, header.length + 4);
        f[header.length] = (byte) 0xff;
        f[header.length + 1] = (byte) 0xff;
        f[header.length + 3] = 1;
        RgbImage im = ImageFiles.decode(f, AlphaMode.DROP);
        assertEquals(1f, im.get(2, 0, 0));
        assertEquals(1f / 65535f, im.get(1, 0, 1), 1e-9);
        RgbImage rgb = RgbImageTest.random(3, 5, 9).rounded8Bit();
        assertArrayEquals(rgb.data(), ImageFiles.decode(ImageFiles.encodePpm(rgb), AlphaMode.DROP).data());
    }

    @Test
    void badInputGivesClearErrors(@TempDir Path dir) throws IOException {
        Path empty = Files.write(dir.resolve("e.png"), new byte[0]);
        IOException e = assertThrows(IOException.class, () -> ImageFiles.read(empty));
        assertTrue(e.getMessage().contains("e.png") && e.getMessage().contains("empty"), e.getMessage());
        Path text = Files.writeString(dir.resolve("t.png"), "hello");
        e = assertThrows(IOException.class, () -> ImageFiles.read(text));
        assertTrue(e.getMessage().contains("not a supported image"), e.getMessage());
        byte[] good = png(new BufferedImage(40, 40, BufferedImage.TYPE_3BYTE_BGR));
        Path cut = Files.write(dir.resolve("c.png"), Arrays.copyOf(good, good.length / 2));
        e = assertThrows(IOException.class, () -> ImageFiles.read(cut));
        assertTrue(e.getMessage().contains("c.png"), e.getMessage());
        byte[] shortPnm = "P6\n4 4\n255\n\0\0".getBytes(StandardCharsets.US_ASCII);
        e = assertThrows(IOException.class, () -> ImageFiles.decode(shortPnm, AlphaMode.DROP));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void aSmallPngDeclaringMorePixelsThanTheBudgetHoldsIsRefusedBeforeDecoding() throws IOException {
        // 8192x8192 zero rows deflate to about 200 KB; decoding would take 1.3 GB of samples and floats.
        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
        try (java.util.zip.DeflaterOutputStream z = new java.util.zip.DeflaterOutputStream(raw,
                new java.util.zip.Deflater(java.util.zip.Deflater.BEST_COMPRESSION))) {
            byte[] row = new byte[1 + 3 * 8192];
            for (int y = 0; y < 8192; y++) {
                z.write(row);
            }
        }
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(png, "IHDR", java.nio.ByteBuffer.allocate(13).putInt(8192).putInt(8192).put((byte) 8).put((byte) 2).array());
        chunk(png, "IDAT", raw.toByteArray());
        chunk(png, "IEND", new byte[0]);
        byte[] bomb = png.toByteArray();
        assertTrue(bomb.length < 300_000, bomb.length + " bytes");
        System.setProperty(dev.tinify.runtime.model.MemoryBudget.PROPERTY, "256m");
        try {
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
            IOException e = assertThrows(IOException.class, () -> ImageFiles.decode(bomb, AlphaMode.DROP));
            long allocated = mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            assertTrue(e.getMessage().startsWith("decoding a 8192x8192 image needs about 1.3 GB (its decoded samples and float pixels),"
                    + " more than the memory budget of 256 MB; use a smaller image"), e.getMessage());
            assertTrue(allocated < 32L << 20, "allocated " + allocated + " bytes before refusing");
        } finally {
            System.clearProperty(dev.tinify.runtime.model.MemoryBudget.PROPERTY);
        }
    }

    private static void chunk(java.io.ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
