package dev.tinify.runtime.container;

import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.image.Tiling;
import dev.tinify.runtime.pointcloud.Normalization;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * Reads {@code .tfy} files of every version ({@link TfyWriter} documents the layout). Every field
 * and every declared length is checked against the bytes left before anything is allocated for
 * it, so a damaged or hostile file costs at most its own size in memory and always ends in a
 * parsed container or a {@link TinifyFormatException} saying what is wrong.
 */
public final class TfyReader {
    private TfyReader() {}

    /** Reads and validates a {@code .tfy} file holding an image; errors name the file. */
    public static TfyContainer read(Path file) throws IOException {
        return image(readAny(file), file.toString());
    }

    /** Reads and validates a {@code .tfy} file of any kind; errors name the file. */
    public static TfyFile readAny(Path file) throws IOException {
        long size = Files.isRegularFile(file) ? Files.size(file) : 0;
        if (size > TfyContainer.MAX_FILE_BYTES) {
            throw new TinifyFormatException(file + ": " + size + " bytes is larger than any .tfy file this reader accepts ("
                    + TfyContainer.MAX_FILE_BYTES + ")");
        }
        try {
            return parseAny(InputFiles.read(file, TfyContainer.MAX_FILE_BYTES, "a .tfy file"));
        } catch (TinifyFormatException e) {
            throw new TinifyFormatException(file + ": " + e.getMessage());
        }
    }

    /** Parses and validates a {@code .tfy} file's bytes holding an image. */
    public static TfyContainer parse(byte[] bytes) throws TinifyFormatException {
        return image(parseAny(bytes), null);
    }

    private static TfyContainer image(TfyFile f, @Nullable String file) throws TinifyFormatException {
        if (f instanceof TfyContainer c) {
            return c;
        }
        throw new TinifyFormatException((file == null ? "" : file + ": ") + "this .tfy file holds a " + describe(f.kind())
                + " coded by " + f.architecture() + ", not an image");
    }

    /** The kind in words, for messages. */
    static String describe(TfyKind kind) {
        return kind == TfyKind.POINT_CLOUD ? "point cloud" : "image";
    }

    /** Parses and validates a {@code .tfy} file's bytes of any kind. */
    public static TfyFile parseAny(byte[] bytes) throws TinifyFormatException {
        if (bytes.length == 0) {
            throw new TinifyFormatException("empty file, not a .tfy container");
        }
        if (!FileSniffer.startsWith(bytes, TfyWriter.MAGIC)) {
            throw new TinifyFormatException("not a .tfy container: " + FileSniffer.describe(bytes));
        }
        if (bytes.length < TfyWriter.MAGIC.length + 1) {
            throw new TinifyFormatException("truncated .tfy file: " + bytes.length + " bytes, the header alone needs more");
        }
        int version = bytes[TfyWriter.MAGIC.length] & 0xff;
        if (version == 0) {
            throw new TinifyFormatException("invalid .tfy format version 0");
        }
        if (version > TfyContainer.FORMAT_VERSION) {
            throw new TinifyFormatException(".tfy format version " + version + " is newer than this reader, which reads up to version "
                    + TfyContainer.FORMAT_VERSION + ": update Tinify to read it");
        }
        try {
            return body(bytes, version);
        } catch (TinifyFormatException e) {
            if (bytes.length >= 4 && !checksumMatches(bytes)) {
                throw new TinifyFormatException(e.getMessage() + " (the checksum does not match either: the file is damaged or truncated)");
            }
            throw e;
        }
    }

    private static TfyFile body(byte[] bytes, int version) throws TinifyFormatException {
        In in = new In(bytes, TfyWriter.MAGIC.length + 1, bytes.length - 4);
        TfyKind kind = version >= TfyContainer.FORMAT_VERSION_TILED ? TfyKind.of(in.u8("content kind")) : TfyKind.IMAGE;
        String architecture = in.text("architecture name");
        int hashLen = in.u8("spec hash length");
        if (hashLen < 1 || hashLen > TfyContainer.MAX_HASH_BYTES) {
            throw in.error("spec hash length " + hashLen + " is outside 1.." + TfyContainer.MAX_HASH_BYTES);
        }
        String specHash = HexFormat.of().formatHex(in.bytes(hashLen, "spec hash"));
        String weights = version > TfyContainer.FORMAT_VERSION_WITHOUT_WEIGHTS
                ? HexFormat.of().formatHex(in.bytes(StateDicts.FINGERPRINT_BYTES, "weights fingerprint")) : null;
        int quality = in.varint("quality", TfyContainer.MAX_QUALITY);
        Double fractionalQuality = null;
        if (version >= TfyContainer.FORMAT_VERSION) {
            long bits = 0;
            for (byte b : in.bytes(8, "fractional quality")) {
                bits = bits << 8 | (b & 0xff);
            }
            fractionalQuality = Double.longBitsToDouble(bits);
        }
        String metric = in.text("metric");
        String coder = in.text("entropy coder name");
        String params = in.text("entropy parameter source");
        if (kind == TfyKind.POINT_CLOUD) {
            if (fractionalQuality != null) {
                throw in.error("a point cloud records no fractional quality (format version " + version + "; point clouds are version "
                        + PointCloudContainer.FORMAT_VERSION + ")");
            }
            return pointCloud(bytes, in, architecture, specHash, weights, quality, metric, coder, params);
        }
        int height = in.varint("image height", Integer.MAX_VALUE);
        int width = in.varint("image width", Integer.MAX_VALUE);
        if (height < 1 || width < 1 || (long) height * width > RgbImage.MAX_PIXELS) {
            throw in.error("image size " + width + "x" + height + " is out of range (each side >= 1, at most "
                    + RgbImage.MAX_PIXELS + " pixels)");
        }
        int left = in.varint("left padding", TfyContainer.MAX_PADDING);
        int right = in.varint("right padding", TfyContainer.MAX_PADDING);
        int top = in.varint("top padding", TfyContainer.MAX_PADDING);
        int bottom = in.varint("bottom padding", TfyContainer.MAX_PADDING);
        if (((long) height + top + bottom) * ((long) width + left + right) > RgbImage.MAX_PIXELS) {
            throw in.error("padded image size is larger than " + RgbImage.MAX_PIXELS + " pixels");
        }
        Tiling tiling = Tiling.NONE;
        int count = 1;
        if (version >= TfyContainer.FORMAT_VERSION_TILED) {
            int tile = in.varint("tile size", Tiling.MAX_TILE);
            int overlap = in.varint("tile overlap", Tiling.MAX_TILE);
            try {
                tiling = new Tiling(tile, overlap);
            } catch (IllegalArgumentException e) {
                throw in.error(e.getMessage());
            }
            long expected = tiling.count(height, width);
            count = in.varint("segment count", Integer.MAX_VALUE);
            if (count != expected) {
                throw in.error(count + " segments, but a " + width + "x" + height + " image in " + tiling + " has " + expected);
            }
            // Each segment takes at least six bytes (shape tag and value, stream count, batch, one length).
            in.need(6L * count, "segments");
        }
        List<LatentSegment> segments = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            segments.add(segment(in));
        }
        end(bytes, in);
        try {
            return new TfyContainer(kind, architecture, specHash, weights, quality, fractionalQuality, metric, coder, params, height, width,
                    new Padding(left, right, top, bottom), tiling, segments);
        } catch (IllegalArgumentException e) {
            throw new TinifyFormatException("invalid .tfy field: " + e.getMessage());
        }
    }

    private static PointCloudContainer pointCloud(byte[] bytes, In in, String architecture, String specHash, @Nullable String weights,
            int quality, String metric, String coder, String params) throws TinifyFormatException {
        int points = in.varint("point count", PointCloudContainer.MAX_POINTS);
        if (points < 1) {
            throw in.error("a point cloud needs at least one point, the header says 0");
        }
        int at = in.pos;
        float x = in.f32("normalization centre x");
        float y = in.f32("normalization centre y");
        float z = in.f32("normalization centre z");
        float scale = in.f32("normalization scale");
        Normalization normalization;
        try {
            normalization = new Normalization(x, y, z, scale);
        } catch (IllegalArgumentException e) {
            in.pos = at;
            throw in.error(e.getMessage());
        }
        LatentSegment segment = segment(in);
        end(bytes, in);
        try {
            return new PointCloudContainer(architecture, specHash, Objects.requireNonNull(weights, "weights"), quality, metric, coder,
                    params, points, normalization, segment);
        } catch (IllegalArgumentException e) {
            throw new TinifyFormatException("invalid .tfy field: " + e.getMessage());
        }
    }

    /** Refuses bytes left after the content and a checksum that does not match. */
    private static void end(byte[] bytes, In in) throws TinifyFormatException {
        if (in.left() != 0) {
            throw in.error(in.left() + " unexpected bytes after the strings");
        }
        if (!checksumMatches(bytes)) {
            throw new TinifyFormatException("checksum mismatch: the .tfy file is damaged (stored CRC-32C "
                    + String.format("%08x", storedCrc(bytes)) + ", computed " + String.format("%08x", computedCrc(bytes)) + ")");
        }
    }

    private static LatentSegment segment(In in) throws TinifyFormatException {
        Object shape = shape(in, 0);
        int streams = in.varint("stream count", LatentSegment.MAX_STREAMS);
        int batch = in.varint("batch size", LatentSegment.MAX_BATCH);
        if (streams < 1 || batch < 1) {
            throw in.error("a segment needs at least one stream and one batch item, got " + streams + " x " + batch);
        }
        // Each length takes at least one byte: check before allocating the table.
        in.need((long) streams * batch, "string length table");
        int[] lengths = new int[streams * batch];
        long total = 0;
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = in.varint("string length", Integer.MAX_VALUE);
            total += lengths[i];
        }
        in.need(total, "strings");
        List<List<byte[]>> strings = new ArrayList<>(streams);
        for (int s = 0; s < streams; s++) {
            List<byte[]> stream = new ArrayList<>(batch);
            for (int b = 0; b < batch; b++) {
                stream.add(in.bytes(lengths[s * batch + b], "string"));
            }
            strings.add(stream);
        }
        try {
            return new LatentSegment(shape, strings);
        } catch (IllegalArgumentException e) {
            throw in.error(e.getMessage());
        }
    }

    private static Object shape(In in, int depth) throws TinifyFormatException {
        if (depth > LatentSegment.MAX_SHAPE_DEPTH) {
            throw in.error("latent shape is nested deeper than " + LatentSegment.MAX_SHAPE_DEPTH);
        }
        int tag = in.u8("latent shape tag");
        switch (tag) {
            case TfyWriter.TAG_INT: {
                int z = in.varint32("latent shape value");
                return (z >>> 1) ^ -(z & 1);
            }
            case TfyWriter.TAG_LIST: {
                int n = in.varint("latent shape list size", LatentSegment.MAX_SHAPE_ENTRIES);
                in.need(n, "latent shape list");
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(shape(in, depth + 1));
                }
                return list;
            }
            case TfyWriter.TAG_MAP: {
                int n = in.varint("latent shape map size", LatentSegment.MAX_SHAPE_ENTRIES);
                in.need(2L * n, "latent shape map");
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    String key = in.text("latent shape key");
                    if (map.put(key, shape(in, depth + 1)) != null) {
                        throw in.error("latent shape key '" + key + "' appears twice");
                    }
                }
                return map;
            }
            default:
                throw in.error("unknown latent shape tag " + tag + " (expected 0 int, 1 list or 2 map)");
        }
    }

    private static boolean checksumMatches(byte[] b) {
        return storedCrc(b) == computedCrc(b);
    }

    private static long storedCrc(byte[] b) {
        int n = b.length;
        return (b[n - 4] & 0xffL) << 24 | (b[n - 3] & 0xffL) << 16 | (b[n - 2] & 0xffL) << 8 | (b[n - 1] & 0xffL);
    }

    private static long computedCrc(byte[] b) {
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        return crc.getValue();
    }

    /** Bounded reader over {@code [pos, end)}; every read checks what is left first. */
    private static final class In {
        final byte[] b;
        int pos;
        final int end;

        In(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = Math.max(pos, end);
        }

        int left() {
            return end - pos;
        }

        TinifyFormatException error(String message) {
            return new TinifyFormatException("invalid .tfy file at byte " + pos + ": " + message);
        }

        void need(long n, String what) throws TinifyFormatException {
            if (n > left()) {
                throw new TinifyFormatException("truncated .tfy file: the " + what + " at byte " + pos + " needs " + n
                        + " bytes but only " + left() + " are left before the checksum");
            }
        }

        int u8(String what) throws TinifyFormatException {
            need(1, what);
            return b[pos++] & 0xff;
        }

        float f32(String what) throws TinifyFormatException {
            need(4, what);
            int bits = (b[pos] & 0xff) << 24 | (b[pos + 1] & 0xff) << 16 | (b[pos + 2] & 0xff) << 8 | (b[pos + 3] & 0xff);
            pos += 4;
            return Float.intBitsToFloat(bits);
        }

        byte[] bytes(int n, String what) throws TinifyFormatException {
            need(n, what);
            byte[] out = Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return out;
        }

        /** A canonical varint of at most 32 bits, returned as raw bits. */
        int varint32(String what) throws TinifyFormatException {
            int start = pos;
            long v = 0;
            for (int i = 0; i < 5; i++) {
                int x = u8(what);
                v |= (long) (x & 0x7f) << (7 * i);
                if ((x & 0x80) == 0) {
                    if (x == 0 && i > 0) {
                        pos = start;
                        throw error(what + ": non-canonical varint (trailing zero byte)");
                    }
                    if (v > 0xffffffffL) {
                        pos = start;
                        throw error(what + ": varint exceeds 32 bits");
                    }
                    return (int) v;
                }
            }
            pos = start;
            throw error(what + ": varint longer than 5 bytes");
        }

        /** A varint in {@code 0..max}. */
        int varint(String what, int max) throws TinifyFormatException {
            int start = pos;
            long v = varint32(what) & 0xffffffffL;
            if (v > max) {
                pos = start;
                throw error(what + " " + v + " is larger than the maximum " + max);
            }
            return (int) v;
        }

        String text(String what) throws TinifyFormatException {
            int start = pos;
            int n = varint(what + " length", TfyContainer.MAX_TEXT_BYTES);
            if (n < 1) {
                pos = start;
                throw error(what + " is empty");
            }
            byte[] raw = bytes(n, what);
            String s;
            try {
                CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(raw));
                s = chars.toString();
            } catch (CharacterCodingException e) {
                pos = start;
                throw error(what + " is not valid UTF-8");
            }
            for (int i = 0; i < s.length(); i++) {
                if (Character.isISOControl(s.charAt(i))) {
                    pos = start;
                    throw error(what + " contains a control character");
                }
            }
            return s;
        }
    }
}
