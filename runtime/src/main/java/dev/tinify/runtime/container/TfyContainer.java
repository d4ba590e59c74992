package dev.tinify.runtime.container;

import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
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
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * A compressed image: the {@code .tfy} file format, version 2.
 *
 * <p>Layout (integers are unsigned LEB128 varints, canonical, at most 31 bits, unless noted):
 * <ol>
 *   <li>magic {@code 0x89 'T' 'F' 'Y'}, then the format version (one byte, 1 or 2);
 *   <li>model id: architecture name (text), spec hash (one length byte 1..64, then raw bytes),
 *       and from version 2 on the weights fingerprint ({@value StateDicts#FINGERPRINT_BYTES} raw
 *       bytes, {@link StateDicts#fingerprint}): which weights encoded the image;
 *   <li>quality; metric (text); entropy coder name (text); how the entropy parameters were
 *       computed (text, {@code "libtorch"} today), so that another implementation can be told
 *       apart without a new format version;
 *   <li>original height and width; padding left, right, top, bottom;
 *   <li>latent shape as a tagged tree: tag 0 = int (zigzag varint), 1 = list (count, items),
 *       2 = map (count, then text key and value per entry);
 *   <li>strings: stream count, batch size, the length of every string (stream-major), then the
 *       bytes of every string in the same order;
 *   <li>CRC-32C of every preceding byte, 4 bytes big-endian.
 * </ol>
 * Text is a varint byte length (1..255) followed by UTF-8 without control characters.
 *
 * <p>Version 1 is version 2 without the weights fingerprint. Both are read; a container without a
 * fingerprint ({@link #weightsFingerprint()} null, as read from version 1) is written as version
 * 1, byte for byte as it was read, and one with a fingerprint as version 2.
 *
 * <p>Reading checks every field and every declared length against the bytes left before
 * allocating anything for it, so a damaged or hostile file costs at most its own size in memory
 * and always ends in a parsed container or a {@link TinifyFormatException} saying what is wrong.
 *
 * @param architecture architecture name, as the spec names it
 * @param specHash lowercase hex digest of the spec the model was compiled from (2..128 digits)
 * @param weightsFingerprint lowercase hex fingerprint of the weights that encoded the image
 *     ({@code 2 * FINGERPRINT_BYTES} digits), or null for a version 1 file, which records none
 * @param quality quality index (0..65535)
 * @param metric the metric the model was trained for, e.g. {@code mse}
 * @param entropyCoder the entropy coder's name, e.g. {@code ans}
 * @param entropyParams how the entropy parameters were computed, e.g. {@code libtorch}
 * @param height original image height before padding
 * @param width original image width before padding
 * @param padding the padding the encoder added around the image
 * @param latentShape the latent codec's shape value (Integer, List, Map of those)
 * @param strings the latent codec's strings, streams x batch
 */
public record TfyContainer(
        String architecture,
        String specHash,
        @Nullable String weightsFingerprint,
        int quality,
        String metric,
        String entropyCoder,
        String entropyParams,
        int height,
        int width,
        Padding padding,
        Object latentShape,
        List<List<byte[]>> strings) {

    /** The format version this class writes for containers with a weights fingerprint, and the newest it reads. */
    public static final int FORMAT_VERSION = 2;
    /** The format version without a weights fingerprint, still read and written. */
    public static final int FORMAT_VERSION_WITHOUT_WEIGHTS = 1;
    /** Largest file {@link #read(Path)} accepts. */
    public static final long MAX_FILE_BYTES = 1L << 30;

    static final byte[] MAGIC = {(byte) 0x89, 'T', 'F', 'Y'};
    static final int MAX_TEXT_BYTES = 255;
    static final int MAX_HASH_BYTES = 64;
    static final int MAX_QUALITY = 65535;
    static final int MAX_PADDING = 65535;
    static final int MAX_SHAPE_DEPTH = 8;
    static final int MAX_SHAPE_ENTRIES = 4096;
    static final int MAX_STREAMS = 64;
    static final int MAX_BATCH = 1024;
    private static final int TAG_INT = 0;
    private static final int TAG_LIST = 1;
    private static final int TAG_MAP = 2;

    /** Validates every field as {@link #parse} would and makes deep, unmodifiable copies. */
    public TfyContainer {
        checkText("architecture", architecture);
        specHashBytes(specHash);
        if (weightsFingerprint != null) {
            fingerprintBytes(weightsFingerprint);
        }
        if (quality < 0 || quality > MAX_QUALITY) {
            throw new IllegalArgumentException("quality " + quality + " is outside 0.." + MAX_QUALITY);
        }
        checkText("metric", metric);
        checkText("entropyCoder", entropyCoder);
        checkText("entropyParams", entropyParams);
        RgbImage.checkSize(height, width);
        Objects.requireNonNull(padding, "padding");
        if (Math.max(Math.max(padding.left(), padding.right()), Math.max(padding.top(), padding.bottom())) > MAX_PADDING) {
            throw new IllegalArgumentException("padding " + padding + " exceeds " + MAX_PADDING + " on a side");
        }
        RgbImage.checkSize((long) height + padding.top() + padding.bottom(), (long) width + padding.left() + padding.right());
        latentShape = copyShape(latentShape, 0);
        strings = copyStrings(strings);
    }

    // ---------------------------------------------------------------- writing

    /** The version {@link #toBytes()} writes: {@value #FORMAT_VERSION}, or 1 without a weights fingerprint. */
    public int formatVersion() {
        return weightsFingerprint == null ? FORMAT_VERSION_WITHOUT_WEIGHTS : FORMAT_VERSION;
    }

    /** The file's bytes, in {@link #formatVersion()}. */
    public byte[] toBytes() {
        Out out = new Out();
        out.bytes(MAGIC);
        out.u8(formatVersion());
        out.text(architecture);
        byte[] hash = specHashBytes(specHash);
        out.u8(hash.length);
        out.bytes(hash);
        if (weightsFingerprint != null) {
            out.bytes(fingerprintBytes(weightsFingerprint));
        }
        out.varint(quality);
        out.text(metric);
        out.text(entropyCoder);
        out.text(entropyParams);
        out.varint(height);
        out.varint(width);
        out.varint(padding.left());
        out.varint(padding.right());
        out.varint(padding.top());
        out.varint(padding.bottom());
        writeShape(out, latentShape);
        out.varint(strings.size());
        out.varint(strings.get(0).size());
        for (List<byte[]> stream : strings) {
            for (byte[] s : stream) {
                out.varint(s.length);
            }
        }
        for (List<byte[]> stream : strings) {
            for (byte[] s : stream) {
                out.bytes(s);
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(out.buf, 0, out.size);
        long c = crc.getValue();
        out.u8((int) (c >>> 24));
        out.u8((int) (c >>> 16));
        out.u8((int) (c >>> 8));
        out.u8((int) c);
        return Arrays.copyOf(out.buf, out.size);
    }

    /** Writes the file atomically. */
    public void write(Path file) throws IOException {
        AtomicFiles.write(file, toBytes());
    }

    /** Total bytes of all strings (what CompressAI counts for bpp). */
    public long stringBytes() {
        long n = 0;
        for (List<byte[]> stream : strings) {
            for (byte[] s : stream) {
                n += s.length;
            }
        }
        return n;
    }

    private static void writeShape(Out out, Object node) {
        if (node instanceof Integer i) {
            out.u8(TAG_INT);
            out.varint((i << 1) ^ (i >> 31));
        } else if (node instanceof List<?> list) {
            out.u8(TAG_LIST);
            out.varint(list.size());
            for (Object o : list) {
                writeShape(out, o);
            }
        } else {
            Map<?, ?> map = (Map<?, ?>) node;
            out.u8(TAG_MAP);
            out.varint(map.size());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.text((String) e.getKey());
                writeShape(out, e.getValue());
            }
        }
    }

    // ---------------------------------------------------------------- reading

    /** Reads and validates a {@code .tfy} file; errors name the file. */
    public static TfyContainer read(Path file) throws IOException {
        long size = Files.isRegularFile(file) ? Files.size(file) : 0;
        if (size > MAX_FILE_BYTES) {
            throw new TinifyFormatException(file + ": " + size + " bytes is larger than any .tfy file this reader accepts ("
                    + MAX_FILE_BYTES + ")");
        }
        try {
            return parse(InputFiles.read(file, MAX_FILE_BYTES, "a .tfy file"));
        } catch (TinifyFormatException e) {
            throw new TinifyFormatException(file + ": " + e.getMessage());
        }
    }

    /** Parses and validates a {@code .tfy} file's bytes. */
    public static TfyContainer parse(byte[] bytes) throws TinifyFormatException {
        if (bytes.length == 0) {
            throw new TinifyFormatException("empty file, not a .tfy container");
        }
        if (!startsWith(bytes, MAGIC)) {
            throw new TinifyFormatException("not a .tfy container: " + sniff(bytes));
        }
        if (bytes.length < MAGIC.length + 1) {
            throw new TinifyFormatException("truncated .tfy file: " + bytes.length + " bytes, the header alone needs more");
        }
        int version = bytes[MAGIC.length] & 0xff;
        if (version == 0) {
            throw new TinifyFormatException("invalid .tfy format version 0");
        }
        if (version > FORMAT_VERSION) {
            throw new TinifyFormatException(".tfy format version " + version + " is newer than this reader, which reads up to version "
                    + FORMAT_VERSION + ": update Tinify to read it");
        }
        try {
            return parseBody(bytes, version);
        } catch (TinifyFormatException e) {
            if (bytes.length >= 4 && !checksumMatches(bytes)) {
                throw new TinifyFormatException(e.getMessage() + " (the checksum does not match either: the file is damaged or truncated)");
            }
            throw e;
        }
    }

    private static TfyContainer parseBody(byte[] bytes, int version) throws TinifyFormatException {
        In in = new In(bytes, MAGIC.length + 1, bytes.length - 4);
        String architecture = in.text("architecture name");
        int hashLen = in.u8("spec hash length");
        if (hashLen < 1 || hashLen > MAX_HASH_BYTES) {
            throw in.error("spec hash length " + hashLen + " is outside 1.." + MAX_HASH_BYTES);
        }
        String specHash = HexFormat.of().formatHex(in.bytes(hashLen, "spec hash"));
        String weights = version > FORMAT_VERSION_WITHOUT_WEIGHTS ? HexFormat.of().formatHex(in.bytes(StateDicts.FINGERPRINT_BYTES, "weights fingerprint")) : null;
        int quality = in.varint("quality", MAX_QUALITY);
        String metric = in.text("metric");
        String coder = in.text("entropy coder name");
        String params = in.text("entropy parameter source");
        int height = in.varint("image height", Integer.MAX_VALUE);
        int width = in.varint("image width", Integer.MAX_VALUE);
        if (height < 1 || width < 1 || (long) height * width > RgbImage.MAX_PIXELS) {
            throw in.error("image size " + height + "x" + width + " is out of range (each side >= 1, at most "
                    + RgbImage.MAX_PIXELS + " pixels)");
        }
        int left = in.varint("left padding", MAX_PADDING);
        int right = in.varint("right padding", MAX_PADDING);
        int top = in.varint("top padding", MAX_PADDING);
        int bottom = in.varint("bottom padding", MAX_PADDING);
        if (((long) height + top + bottom) * ((long) width + left + right) > RgbImage.MAX_PIXELS) {
            throw in.error("padded image size is larger than " + RgbImage.MAX_PIXELS + " pixels");
        }
        Object shape = readShape(in, 0);
        int streams = in.varint("stream count", MAX_STREAMS);
        int batch = in.varint("batch size", MAX_BATCH);
        if (streams < 1 || batch < 1) {
            throw in.error("a container needs at least one stream and one batch item, got " + streams + " x " + batch);
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
        if (in.left() != 0) {
            throw in.error(in.left() + " unexpected bytes after the strings");
        }
        if (!checksumMatches(bytes)) {
            throw new TinifyFormatException("checksum mismatch: the .tfy file is damaged (stored CRC-32C "
                    + String.format("%08x", storedCrc(bytes)) + ", computed " + String.format("%08x", computedCrc(bytes)) + ")");
        }
        try {
            return new TfyContainer(architecture, specHash, weights, quality, metric, coder, params, height, width,
                    new Padding(left, right, top, bottom), shape, strings);
        } catch (IllegalArgumentException e) {
            throw new TinifyFormatException("invalid .tfy field: " + e.getMessage());
        }
    }

    private static Object readShape(In in, int depth) throws TinifyFormatException {
        if (depth > MAX_SHAPE_DEPTH) {
            throw in.error("latent shape is nested deeper than " + MAX_SHAPE_DEPTH);
        }
        int tag = in.u8("latent shape tag");
        switch (tag) {
            case TAG_INT: {
                int z = in.varint32("latent shape value");
                return (z >>> 1) ^ -(z & 1);
            }
            case TAG_LIST: {
                int n = in.varint("latent shape list size", MAX_SHAPE_ENTRIES);
                in.need(n, "latent shape list");
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(readShape(in, depth + 1));
                }
                return list;
            }
            case TAG_MAP: {
                int n = in.varint("latent shape map size", MAX_SHAPE_ENTRIES);
                in.need(2L * n, "latent shape map");
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    String key = in.text("latent shape key");
                    if (map.put(key, readShape(in, depth + 1)) != null) {
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

    private static boolean startsWith(byte[] b, byte[] prefix) {
        int n = Math.min(b.length, prefix.length);
        for (int i = 0; i < n; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Names common formats so that a wrong file argument gets a helpful message. */
    private static String sniff(byte[] b) {
        if (b.length >= 8 && startsWith(b, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})) {
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
        if (b.length >= 10 && b[8] == '{') {
            long n = ByteBuffer.wrap(b, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
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

    // ---------------------------------------------------------------- validation

    private static void checkText(String what, String s) {
        Objects.requireNonNull(s, what);
        int n = s.getBytes(StandardCharsets.UTF_8).length;
        if (n < 1 || n > MAX_TEXT_BYTES) {
            throw new IllegalArgumentException(what + " must be 1.." + MAX_TEXT_BYTES + " UTF-8 bytes, got " + n);
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                throw new IllegalArgumentException(what + " contains a control character at index " + i);
            }
        }
    }

    private static byte[] specHashBytes(String hex) {
        Objects.requireNonNull(hex, "specHash");
        int n = hex.length();
        if (n < 2 || n > 2 * MAX_HASH_BYTES || n % 2 != 0 || !hex.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
            throw new IllegalArgumentException("specHash must be 2.." + 2 * MAX_HASH_BYTES
                    + " lowercase hex digits (an even number), got '" + hex + "'");
        }
        return HexFormat.of().parseHex(hex);
    }

    private static byte[] fingerprintBytes(String hex) {
        int n = 2 * StateDicts.FINGERPRINT_BYTES;
        if (hex.length() != n || !hex.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
            throw new IllegalArgumentException("weightsFingerprint must be " + n + " lowercase hex digits, got '" + hex + "'");
        }
        return HexFormat.of().parseHex(hex);
    }

    private static Object copyShape(Object node, int depth) {
        Objects.requireNonNull(node, "latent shape value");
        if (depth > MAX_SHAPE_DEPTH) {
            throw new IllegalArgumentException("latent shape is nested deeper than " + MAX_SHAPE_DEPTH);
        }
        if (node instanceof Integer || node instanceof Short || node instanceof Byte || node instanceof Long) {
            return Math.toIntExact(((Number) node).longValue());
        }
        if (node instanceof List<?> list) {
            if (list.size() > MAX_SHAPE_ENTRIES) {
                throw new IllegalArgumentException("latent shape list has more than " + MAX_SHAPE_ENTRIES + " entries");
            }
            List<Object> out = new ArrayList<>(list.size());
            for (Object o : list) {
                out.add(copyShape(o, depth + 1));
            }
            return Collections.unmodifiableList(out);
        }
        if (node instanceof Map<?, ?> map) {
            if (map.size() > MAX_SHAPE_ENTRIES) {
                throw new IllegalArgumentException("latent shape map has more than " + MAX_SHAPE_ENTRIES + " entries");
            }
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException("latent shape map keys must be strings, got " + e.getKey());
                }
                checkText("latent shape key", key);
                out.put(key, copyShape(e.getValue(), depth + 1));
            }
            return Collections.unmodifiableMap(out);
        }
        throw new IllegalArgumentException("latent shape values must be Integer, List or Map, got " + node.getClass().getName());
    }

    private static List<List<byte[]>> copyStrings(List<List<byte[]>> strings) {
        Objects.requireNonNull(strings, "strings");
        if (strings.isEmpty() || strings.size() > MAX_STREAMS) {
            throw new IllegalArgumentException("strings need 1.." + MAX_STREAMS + " streams, got " + strings.size());
        }
        int batch = strings.get(0).size();
        if (batch < 1 || batch > MAX_BATCH) {
            throw new IllegalArgumentException("strings need a batch of 1.." + MAX_BATCH + ", got " + batch);
        }
        List<List<byte[]>> out = new ArrayList<>(strings.size());
        for (int i = 0; i < strings.size(); i++) {
            List<byte[]> stream = strings.get(i);
            if (stream.size() != batch) {
                throw new IllegalArgumentException("stream " + i + " has " + stream.size() + " strings, stream 0 has " + batch);
            }
            List<byte[]> copy = new ArrayList<>(batch);
            for (byte[] s : stream) {
                copy.add(s.clone());
            }
            out.add(Collections.unmodifiableList(copy));
        }
        return Collections.unmodifiableList(out);
    }

    // ---------------------------------------------------------------- value semantics

    /** Equal when every field is, comparing string bytes by content. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TfyContainer c)) {
            return false;
        }
        if (!(architecture.equals(c.architecture) && specHash.equals(c.specHash)
                && Objects.equals(weightsFingerprint, c.weightsFingerprint) && quality == c.quality
                && metric.equals(c.metric) && entropyCoder.equals(c.entropyCoder) && entropyParams.equals(c.entropyParams)
                && height == c.height && width == c.width && padding.equals(c.padding) && latentShape.equals(c.latentShape)
                && strings.size() == c.strings.size())) {
            return false;
        }
        for (int i = 0; i < strings.size(); i++) {
            List<byte[]> a = strings.get(i);
            List<byte[]> b = c.strings.get(i);
            if (a.size() != b.size()) {
                return false;
            }
            for (int j = 0; j < a.size(); j++) {
                if (!Arrays.equals(a.get(j), b.get(j))) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(architecture, specHash, weightsFingerprint, quality, metric, entropyCoder, entropyParams, height, width,
                padding, latentShape);
        for (List<byte[]> stream : strings) {
            for (byte[] s : stream) {
                h = 31 * h + Arrays.hashCode(s);
            }
        }
        return h;
    }

    @Override
    public String toString() {
        return "TfyContainer[v" + formatVersion() + " " + architecture + "@" + specHash + " weights "
                + Objects.toString(weightsFingerprint, "unrecorded") + " q" + quality + " " + metric + ", " + entropyCoder + "/"
                + entropyParams + ", " + height + "x" + width + " " + padding + ", shape " + latentShape + ", "
                + strings.size() + "x" + strings.get(0).size() + " strings, " + stringBytes() + " bytes]";
    }

    // ---------------------------------------------------------------- byte helpers

    /** Growable output buffer. */
    private static final class Out {
        byte[] buf = new byte[256];
        int size;

        void ensure(int extra) {
            if (size + extra > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, Math.addExact(size, extra)));
            }
        }

        void u8(int v) {
            ensure(1);
            buf[size++] = (byte) v;
        }

        void bytes(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, size, b.length);
            size += b.length;
        }

        /** Unsigned LEB128 of the 32 bits of {@code v}. */
        void varint(int v) {
            while ((v & ~0x7f) != 0) {
                u8((v & 0x7f) | 0x80);
                v >>>= 7;
            }
            u8(v);
        }

        void text(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varint(b.length);
            bytes(b);
        }
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
            int n = varint(what + " length", MAX_TEXT_BYTES);
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
