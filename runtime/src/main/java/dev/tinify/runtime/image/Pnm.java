package dev.tinify.runtime.image;

import java.io.IOException;

/** Binary PNM (P5 grey, P6 RGB) decoding, 8 or 16 bits per sample (big-endian, as the format says). */
final class Pnm {
    private Pnm() {}

    static RgbImage decode(byte[] b) throws IOException {
        boolean rgb = b[1] == '6';
        int[] pos = {2};
        int w = header(b, pos, "width");
        int h = header(b, pos, "height");
        int max = header(b, pos, "maxval");
        if (max < 1 || max > 65535) {
            throw new IOException("PNM maxval " + max + " is outside 1..65535");
        }
        if (pos[0] >= b.length || !Character.isWhitespace(b[pos[0]])) {
            throw new IOException("PNM header must end with one whitespace byte");
        }
        pos[0]++;
        try {
            RgbImage.checkSize(h, w);
        } catch (IllegalArgumentException e) {
            throw new IOException("PNM " + e.getMessage(), e);
        }
        int bytesPerSample = max > 255 ? 2 : 1;
        int channels = rgb ? 3 : 1;
        long need = (long) h * w * channels * bytesPerSample;
        if (b.length - pos[0] < need) {
            throw new IOException("PNM is truncated: " + need + " bytes of pixels expected, " + (b.length - pos[0]) + " present");
        }
        int plane = h * w;
        float[] out = new float[3 * plane];
        int o = pos[0];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < channels; c++) {
                int v = bytesPerSample == 1 ? b[o] & 0xff : (b[o] & 0xff) << 8 | (b[o + 1] & 0xff);
                o += bytesPerSample;
                if (v > max) {
                    throw new IOException("PNM sample " + v + " exceeds maxval " + max);
                }
                float f = (float) v / max;
                if (rgb) {
                    out[c * plane + i] = f;
                } else {
                    out[i] = f;
                    out[plane + i] = f;
                    out[2 * plane + i] = f;
                }
            }
        }
        return new RgbImage(h, w, out);
    }

    /** Reads one decimal header field, skipping whitespace and '#' comments. */
    private static int header(byte[] b, int[] pos, String what) throws IOException {
        int p = pos[0];
        while (p < b.length) {
            if (b[p] == '#') {
                while (p < b.length && b[p] != '\n') {
                    p++;
                }
            } else if (Character.isWhitespace(b[p])) {
                p++;
            } else {
                break;
            }
        }
        long v = 0;
        int start = p;
        while (p < b.length && b[p] >= '0' && b[p] <= '9' && p - start < 9) {
            v = v * 10 + (b[p] - '0');
            p++;
        }
        if (p == start) {
            throw new IOException("PNM header: " + what + " missing or not a number");
        }
        pos[0] = p;
        return (int) v;
    }
}
