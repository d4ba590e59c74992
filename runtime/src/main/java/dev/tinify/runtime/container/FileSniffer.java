package dev.tinify.runtime.container;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Names the format of a file from its first bytes, so that a wrong file argument gets a helpful message. */
public final class FileSniffer {
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private FileSniffer() {}

    /** Whether {@code b} starts with {@code prefix} (as far as {@code b} goes). */
    static boolean startsWith(byte[] b, byte[] prefix) {
        int n = Math.min(b.length, prefix.length);
        for (int i = 0; i < n; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** What the bytes look like, as a phrase: "this is a PNG image", or the first bytes in hex. */
    public static String describe(byte[] b) {
        if (b.length >= 8 && startsWith(b, PNG)) {
            return "this is a PNG image";
        }
        if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
            return "this is a JPEG image";
        }
        if (b.length >= 12 && startsWith(b, "RIFF".getBytes(StandardCharsets.US_ASCII))
                && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') {
            return "this is a WebP image";
        }
        if (b.length >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6') {
            return "this looks like a PNM image";
        }
        if (b.length >= 4 && startsWith(b, "ply".getBytes(StandardCharsets.US_ASCII)) && (b[3] == '\n' || b[3] == '\r')) {
            return "this is a PLY point cloud";
        }
        if (b.length >= 3 && startsWith(b, "OFF".getBytes(StandardCharsets.US_ASCII))) {
            return "this looks like an OFF mesh";
        }
        if (b.length >= 10 && b[8] == '{') {
            long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (n > 0 && n <= b.length - 8) {
                return "this looks like a safetensors checkpoint";
            }
        }
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(4, b.length); i++) {
            hex.append(String.format("%02x", b[i] & 0xff));
        }
        return "it starts with 0x" + hex + ", a .tfy file starts with 0x89544659";
    }
}
