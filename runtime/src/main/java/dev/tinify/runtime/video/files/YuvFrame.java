package dev.tinify.runtime.video.files;

import dev.tinify.runtime.image.RgbImage;

/**
 * One 8-bit YCbCr frame: a luma plane of {@code width x height} and two chroma planes of the
 * size {@link Chroma} gives, row-major, as stored in a Y4M file.
 *
 * <p>{@link #toRgb} and {@link #fromRgb} are CompressAI's video conversions: 4:2:0 chroma is
 * upsampled by PyTorch's bicubic ×2 ({@code align_corners=False}, a = -0.75, edge samples
 * repeated) and downsampled by the mean of each 2×2 block; RGB values are not clamped on the way in
 * (the model sees what the matrix gives), and 8-bit samples are rounded and clamped on the way out.
 */
public record YuvFrame(int width, int height, Chroma chroma, byte[] y, byte[] u, byte[] v) {
    /** Bicubic weights of taps -1, 0, +1, +2 around the lower source sample at fraction 1/4 (3/4 mirrors them). */
    private static final float[] QUARTER = {-0.10546875f, 0.87890625f, 0.26171875f, -0.03515625f};

    public YuvFrame {
        RgbImage.checkSize(height, width);
        int cw = chroma.chromaSize(width);
        int ch = chroma.chromaSize(height);
        if (y.length != width * height || u.length != cw * ch || v.length != cw * ch) {
            throw new IllegalArgumentException("a " + width + "x" + height + " " + chroma + " frame needs planes of "
                    + width * height + ", " + cw * ch + " and " + cw * ch + " samples");
        }
    }

    /** The frame as RGB in {@code cs}. */
    public RgbImage toRgb(ColorSpace cs) {
        int n = width * height;
        float[] cb = chromaPlane(u, cs);
        float[] cr = chromaPlane(v, cs);
        double kr = cs.matrix().kr;
        double kb = cs.matrix().kb;
        float kg = (float) (1 - kr - kb);
        float crToR = (float) (2 - 2 * kr);
        float cbToB = (float) (2 - 2 * kb);
        float[] rgb = new float[3 * n];
        for (int i = 0; i < n; i++) {
            float luma = cs.luma(y[i] & 0xff);
            float r = luma + crToR * (cr[i] - 0.5f);
            float b = luma + cbToB * (cb[i] - 0.5f);
            rgb[i] = r;
            rgb[n + i] = (luma - (float) kr * r - (float) kb * b) / kg;
            rgb[2 * n + i] = b;
        }
        return new RgbImage(height, width, rgb);
    }

    /** A chroma plane, normalized and brought to full resolution. */
    private float[] chromaPlane(byte[] plane, ColorSpace cs) {
        int cw = chroma.chromaSize(width);
        int ch = chroma.chromaSize(height);
        float[] c = new float[cw * ch];
        for (int i = 0; i < c.length; i++) {
            c[i] = cs.chroma(plane[i] & 0xff);
        }
        if (chroma == Chroma.C444) {
            return c;
        }
        float[] wide = upsampleRows(c, cw, ch);
        float[] full = upsampleColumns(wide, 2 * cw, ch);
        return crop(full, 2 * cw, width, height);
    }

    /** Bicubic ×2 along the width of each row. */
    private static float[] upsampleRows(float[] src, int w, int h) {
        float[] out = new float[2 * w * h];
        for (int row = 0; row < h; row++) {
            int base = row * w;
            for (int k = 0; k < w; k++) {
                // Output 2k sits at source k - 1/4, output 2k + 1 at k + 1/4.
                out[row * 2 * w + 2 * k] = cubic(src, base, w, 1, k - 1, 0.75f);
                out[row * 2 * w + 2 * k + 1] = cubic(src, base, w, 1, k, 0.25f);
            }
        }
        return out;
    }

    /** Bicubic ×2 along the height of each column. */
    private static float[] upsampleColumns(float[] src, int w, int h) {
        float[] out = new float[w * 2 * h];
        for (int col = 0; col < w; col++) {
            for (int k = 0; k < h; k++) {
                out[(2 * k) * w + col] = cubic(src, col, h, w, k - 1, 0.75f);
                out[(2 * k + 1) * w + col] = cubic(src, col, h, w, k, 0.25f);
            }
        }
        return out;
    }

    /** Cubic convolution at {@code lower + t} (t = 1/4 or 3/4) over taps lower-1..lower+2, indexes clamped. */
    private static float cubic(float[] src, int base, int n, int stride, int lower, float t) {
        float acc = 0;
        for (int j = 0; j < 4; j++) {
            float w = t == 0.25f ? QUARTER[j] : QUARTER[3 - j];
            int idx = Math.max(0, Math.min(n - 1, lower - 1 + j));
            acc += w * src[base + idx * stride];
        }
        return acc;
    }

    private static float[] crop(float[] src, int srcWidth, int width, int height) {
        if (srcWidth == width && src.length == width * height) {
            return src;
        }
        float[] out = new float[width * height];
        for (int row = 0; row < height; row++) {
            System.arraycopy(src, row * srcWidth, out, row * width, width);
        }
        return out;
    }

    /** {@code image} as a frame with {@code chroma} subsampling in {@code cs}. */
    public static YuvFrame fromRgb(RgbImage image, Chroma chroma, ColorSpace cs) {
        int w = image.width();
        int h = image.height();
        int n = w * h;
        float[] rgb = image.data();
        double kr = cs.matrix().kr;
        double kb = cs.matrix().kb;
        float kg = (float) (1 - kr - kb);
        byte[] y = new byte[n];
        float[] cb = new float[n];
        float[] cr = new float[n];
        for (int i = 0; i < n; i++) {
            float r = rgb[i];
            float g = rgb[n + i];
            float b = rgb[2 * n + i];
            float luma = (float) kr * r + kg * g + (float) kb * b;
            y[i] = (byte) cs.lumaSample(luma);
            cb[i] = 0.5f * (b - luma) / (float) (1 - kb) + 0.5f;
            cr[i] = 0.5f * (r - luma) / (float) (1 - kr) + 0.5f;
        }
        return new YuvFrame(w, h, chroma, y, chromaSamples(cb, w, h, chroma, cs), chromaSamples(cr, w, h, chroma, cs));
    }

    /** 8-bit chroma samples, each the mean of its 2×2 block for 4:2:0 (of the samples inside the frame at odd edges). */
    private static byte[] chromaSamples(float[] c, int w, int h, Chroma chroma, ColorSpace cs) {
        int cw = chroma.chromaSize(w);
        int ch = chroma.chromaSize(h);
        int f = chroma == Chroma.C420 ? 2 : 1;
        byte[] out = new byte[cw * ch];
        for (int r = 0; r < ch; r++) {
            for (int k = 0; k < cw; k++) {
                float sum = 0;
                int count = 0;
                for (int dy = 0; dy < f && r * f + dy < h; dy++) {
                    for (int dx = 0; dx < f && k * f + dx < w; dx++) {
                        sum += c[(r * f + dy) * w + k * f + dx];
                        count++;
                    }
                }
                out[r * cw + k] = (byte) cs.chromaSample(sum / count);
            }
        }
        return out;
    }
}
