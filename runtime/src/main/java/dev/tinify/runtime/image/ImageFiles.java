package dev.tinify.runtime.image;

import dev.tinify.runtime.container.AtomicFiles;
import dev.tinify.runtime.container.InputFiles;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import dev.tinify.runtime.model.MemoryBudget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads PNG (1 to 16 bits, grey, palette, RGB, with or without alpha), JPEG (grey or YCbCr) and
 * binary PNM (P5 grey, P6 RGB, 8 or 16 bits) into {@link RgbImage}, and writes 8-bit RGB PNG.
 *
 * <p>Conversions: each sample is divided by its format's maximum ({@code 2^bits - 1}, so 16-bit
 * samples by 65535; the PNM header's maxval for PNM), grey is replicated to R, G and B, palette
 * entries are looked up, and alpha is handled by {@link AlphaMode} (dropped by default, as
 * CompressAI's PIL {@code convert("RGB")}). Samples are taken from the raster, never through
 * Java2D colour conversion, which would alter grey levels. No colour management is applied:
 * values are taken as sRGB.
 */
public final class ImageFiles {
    /** Bytes a decoded pixel takes at most: the decoder's samples (16-bit RGBA) and three floats. */
    private static final long DECODE_BYTES_PER_PIXEL = 8 + 12;

    /** Largest image file read (a 16-bit RGBA PNG of {@link RgbImage#MAX_PIXELS} pixels, stored). */
    public static final long MAX_FILE_BYTES = 8 * RgbImage.MAX_PIXELS + (1 << 20);

    private ImageFiles() {}

    /** Reads an image file, dropping any alpha channel. */
    public static RgbImage read(Path file) throws IOException {
        return read(file, AlphaMode.DROP);
    }

    /** Reads an image file; errors name the file. */
    public static RgbImage read(Path file, AlphaMode alpha) throws IOException {
        byte[] bytes = InputFiles.read(file, MAX_FILE_BYTES, "a PNG, JPEG or PNM image");
        try {
            return decode(bytes, alpha);
        } catch (IOException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Decodes image bytes (PNG, JPEG or PNM, recognised by content). */
    public static RgbImage decode(byte[] bytes, AlphaMode alpha) throws IOException {
        if (bytes.length == 0) {
            throw new IOException("empty file, expected a PNG, JPEG or PNM image");
        }
        if (bytes.length >= 2 && bytes[0] == 'P' && (bytes[1] == '5' || bytes[1] == '6')) {
            return Pnm.decode(bytes);
        }
        ImageIO.setUseCache(false);
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IOException("not a supported image (expected PNG, JPEG or PNM); starts with "
                        + describeStart(bytes));
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                // Check the declared size before decoding allocates it: a small compressed file can
                // declare millions of pixels.
                int h = reader.getHeight(0);
                int w = reader.getWidth(0);
                RgbImage.checkSize(h, w);
                MemoryBudget.check("decoding a " + h + "x" + w + " image", DECODE_BYTES_PER_PIXEL * h * w,
                        "its decoded samples and float pixels", "use a smaller image");
                BufferedImage image = reader.read(0);
                return fromBuffered(image, alpha);
            } catch (IllegalArgumentException e) {
                throw new IOException(e.getMessage(), e);
            } catch (IOException | RuntimeException e) {
                // ImageIO reports damaged data with assorted runtime exceptions.
                throw new IOException("cannot decode " + reader.getFormatName() + " image: " + e.getMessage(), e);
            } finally {
                reader.dispose();
            }
        }
    }

    private static String describeStart(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, b.length); i++) {
            sb.append(String.format("%02x", b[i] & 0xff));
        }
        return "0x" + sb;
    }

    /** Converts a decoded image to RGB floats by reading its raster (see the class notes). */
    static RgbImage fromBuffered(BufferedImage image, AlphaMode alpha) {
        int h = image.getHeight();
        int w = image.getWidth();
        RgbImage.checkSize(h, w);
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        float[] out = new float[3 * h * w];
        int plane = h * w;
        boolean composite = alpha == AlphaMode.COMPOSITE_WHITE;
        if (cm instanceof IndexColorModel icm) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int p = raster.getSample(x, y, 0);
                    float a = composite ? icm.getAlpha(p) / 255f : 1f;
                    int i = y * w + x;
                    out[i] = blend(icm.getRed(p) / 255f, a);
                    out[plane + i] = blend(icm.getGreen(p) / 255f, a);
                    out[2 * plane + i] = blend(icm.getBlue(p) / 255f, a);
                }
            }
            return new RgbImage(h, w, out);
        }
        int csType = cm.getColorSpace().getType();
        int colorBands;
        if (csType == ColorSpace.TYPE_GRAY) {
            colorBands = 1;
        } else if (csType == ColorSpace.TYPE_RGB) {
            colorBands = 3;
        } else {
            throw new IllegalArgumentException("unsupported colour space (type " + csType
                    + "; expected grey or RGB, for example not CMYK)");
        }
        int bands = raster.getNumBands();
        if (bands != colorBands && bands != colorBands + 1) {
            throw new IllegalArgumentException("unexpected band count " + bands + " for a "
                    + (colorBands == 1 ? "grey" : "RGB") + " image");
        }
        boolean hasAlpha = bands == colorBands + 1;
        // Division (not a reciprocal multiply) so 8-bit values are exactly k / 255f, as torchvision's to_tensor.
        float[] max = new float[bands];
        for (int b = 0; b < bands; b++) {
            max[b] = (1 << cm.getComponentSize(b)) - 1;
        }
        int[] px = new int[bands];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.getPixel(x, y, px);
                float a = composite && hasAlpha ? px[colorBands] / max[colorBands] : 1f;
                int i = y * w + x;
                for (int c = 0; c < 3; c++) {
                    int b = colorBands == 1 ? 0 : c;
                    out[c * plane + i] = blend(px[b] / max[b], a);
                }
            }
        }
        return new RgbImage(h, w, out);
    }

    private static float blend(float colour, float alpha) {
        return alpha == 1f ? colour : alpha * colour + (1f - alpha);
    }

    /** Encodes as an 8-bit RGB PNG (values rounded as {@link RgbImage#to8Bit()}). */
    public static byte[] encodePng(RgbImage image) throws IOException {
        int h = image.height();
        int w = image.width();
        int[] v = image.to8Bit();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        WritableRaster r = out.getRaster();
        int plane = h * w;
        int[] px = new int[3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                px[0] = v[i];
                px[1] = v[plane + i];
                px[2] = v[2 * plane + i];
                r.setPixel(x, y, px);
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.setUseCache(false);
        if (!ImageIO.write(out, "png", bytes)) {
            throw new IOException("no PNG writer available in this Java runtime");
        }
        return bytes.toByteArray();
    }

    /** Writes an 8-bit RGB PNG atomically (nothing partial is left if writing fails). */
    public static void writePng(RgbImage image, Path file) throws IOException {
        AtomicFiles.write(file, encodePng(image));
    }

    /** Encodes as binary PPM (P6, 8-bit), the input format of command-line codecs such as cjpeg. */
    public static byte[] encodePpm(RgbImage image) {
        int h = image.height();
        int w = image.width();
        int[] v = image.to8Bit();
        byte[] header = ("P6\n" + w + " " + h + "\n255\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[header.length + 3 * h * w];
        System.arraycopy(header, 0, out, 0, header.length);
        int plane = h * w;
        int o = header.length;
        for (int i = 0; i < plane; i++) {
            out[o++] = (byte) v[i];
            out[o++] = (byte) v[plane + i];
            out[o++] = (byte) v[2 * plane + i];
        }
        return out;
    }
}
