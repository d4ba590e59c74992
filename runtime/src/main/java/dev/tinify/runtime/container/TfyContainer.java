package dev.tinify.runtime.container;

import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.image.Tiling;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A compressed image, as a {@code .tfy} file holds it: which model coded it and the coded
 * latents, one {@link LatentSegment} for a whole image or one per tile ({@link Tiling}).
 * {@link TfyWriter} turns it into bytes and {@link TfyReader} back; the layout is documented on
 * {@link TfyWriter}. Construction validates every field as reading does.
 *
 * @param kind what the file holds: {@link TfyKind#IMAGE} (a point cloud is a {@link PointCloudContainer})
 * @param architecture architecture name, as the spec names it
 * @param specHash lowercase hex digest of the spec the model was compiled from (2..128 digits)
 * @param weightsFingerprint lowercase hex fingerprint of the weights that encoded the image
 *     ({@code 2 * FINGERPRINT_BYTES} digits), or null for a version 1 file, which records none
 * @param quality quality index (0..65535)
 * @param fractionalQuality the real-valued quality a variable-rate model coded at when it lies
 *     between two trained levels ({@code quality < fractionalQuality < quality + 1}), or null when
 *     {@code quality} is the rate
 * @param metric the metric the model was trained for, e.g. {@code mse}
 * @param entropyCoder the entropy coder's name, e.g. {@code ans}
 * @param entropyParams how the entropy parameters were computed, e.g. {@code libtorch}
 * @param height original image height before padding
 * @param width original image width before padding
 * @param padding the padding the encoder added around a whole image ({@link Padding#NONE} when
 *     tiled: each tile is padded on its own, as {@link Padding#forStride} says)
 * @param tiling how the image was cut into tiles, {@link Tiling#NONE} for a whole image
 * @param segments the coded latents, one per tile in {@link Tiling#tiles} order
 */
public record TfyContainer(
        TfyKind kind,
        String architecture,
        String specHash,
        @Nullable String weightsFingerprint,
        int quality,
        @Nullable Double fractionalQuality,
        String metric,
        String entropyCoder,
        String entropyParams,
        int height,
        int width,
        Padding padding,
        Tiling tiling,
        List<LatentSegment> segments) implements TfyFile {

    /** The newest format version: version 3 with a fractional quality. */
    public static final int FORMAT_VERSION = 4;
    /** Version 2 with a content kind, tiling and several segments, still written when no fractional quality is recorded. */
    public static final int FORMAT_VERSION_TILED = 3;
    /** A whole image with a weights fingerprint, still written for such images so older readers read them. */
    public static final int FORMAT_VERSION_WHOLE_IMAGE = 2;
    /** The format version without a weights fingerprint, still read and written. */
    public static final int FORMAT_VERSION_WITHOUT_WEIGHTS = 1;
    /** Largest file {@link #read(Path)} accepts. */
    public static final long MAX_FILE_BYTES = 1L << 30;

    static final int MAX_TEXT_BYTES = 255;
    static final int MAX_HASH_BYTES = 64;
    static final int MAX_QUALITY = 65535;
    static final int MAX_PADDING = 65535;

    /** Validates every field as {@link TfyReader} would; the segments are deep copies already. */
    public TfyContainer {
        if (kind != TfyKind.IMAGE) {
            throw new IllegalArgumentException("a TfyContainer holds an image, not " + kind);
        }
        checkText("architecture", architecture);
        specHashBytes(specHash);
        if (weightsFingerprint != null) {
            fingerprintBytes(weightsFingerprint);
        }
        if (quality < 0 || quality > MAX_QUALITY) {
            throw new IllegalArgumentException("quality " + quality + " is outside 0.." + MAX_QUALITY);
        }
        if (fractionalQuality != null && !(fractionalQuality > quality && fractionalQuality < quality + 1)) {
            throw new IllegalArgumentException("fractional quality " + fractionalQuality + " does not lie strictly between quality "
                    + quality + " and " + (quality + 1));
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
        Objects.requireNonNull(tiling, "tiling");
        if (tiling.tiled() && !padding.equals(Padding.NONE)) {
            throw new IllegalArgumentException("a tiled image pads each tile, not the image: padding must be none, got " + padding);
        }
        segments = List.copyOf(segments);
        long expected = tiling.count(height, width);
        if (segments.size() != expected) {
            throw new IllegalArgumentException("a " + width + "x" + height + " image with " + tiling + " needs " + expected
                    + " latent segments, got " + segments.size());
        }
        if (weightsFingerprint == null && (tiling.tiled() || fractionalQuality != null)) {
            throw new IllegalArgumentException("only a whole image at an integer quality may omit the weights fingerprint (format version 1)");
        }
    }

    /** A whole image coded in one piece (the container of formats 1 and 2). */
    public TfyContainer(String architecture, String specHash, @Nullable String weightsFingerprint, int quality, String metric,
            String entropyCoder, String entropyParams, int height, int width, Padding padding, Object latentShape,
            List<List<byte[]>> strings) {
        this(TfyKind.IMAGE, architecture, specHash, weightsFingerprint, quality, null, metric, entropyCoder, entropyParams, height,
                width, padding, Tiling.NONE, List.of(new LatentSegment(latentShape, strings)));
    }

    /**
     * The version {@link TfyWriter} writes: the oldest that holds this container, so that older
     * readers keep reading what they could (1 without a fingerprint, 4 with a fractional quality, 2
     * for a whole image, else 3).
     */
    public int formatVersion() {
        if (weightsFingerprint == null) {
            return FORMAT_VERSION_WITHOUT_WEIGHTS;
        }
        if (fractionalQuality != null) {
            return FORMAT_VERSION;
        }
        return kind == TfyKind.IMAGE && !tiling.tiled() ? FORMAT_VERSION_WHOLE_IMAGE : FORMAT_VERSION_TILED;
    }

    /** The quality coded at: {@link #fractionalQuality()} if recorded, else {@link #quality()}. */
    public double qualityValue() {
        return fractionalQuality != null ? fractionalQuality : quality;
    }

    /** The quality as written for people: {@code 3}, or {@code 3.5} for a fractional one. */
    public String qualityLabel() {
        return fractionalQuality != null ? String.valueOf(fractionalQuality) : String.valueOf(quality);
    }

    /** The latent shape of a whole image (its only segment). */
    public Object latentShape() {
        return whole().shape();
    }

    /** The strings of a whole image (its only segment). */
    public List<List<byte[]>> strings() {
        return whole().strings();
    }

    private LatentSegment whole() {
        if (segments.size() != 1) {
            throw new IllegalStateException("a tiled container has " + segments.size() + " segments; use segments()");
        }
        return segments.get(0);
    }

    /** Total bytes of all strings of all segments (what CompressAI counts for bpp). */
    public long stringBytes() {
        long n = 0;
        for (LatentSegment s : segments) {
            n += s.stringBytes();
        }
        return n;
    }

    /** The file's bytes; see {@link TfyWriter}. */
    public byte[] toBytes() {
        return TfyWriter.toBytes(this);
    }

    /** Writes the file atomically. */
    public void write(Path file) throws IOException {
        AtomicFiles.write(file, toBytes());
    }

    /** Reads and validates a {@code .tfy} file; see {@link TfyReader#read(Path)}. */
    public static TfyContainer read(Path file) throws IOException {
        return TfyReader.read(file);
    }

    /** Parses and validates a {@code .tfy} file's bytes; see {@link TfyReader#parse(byte[])}. */
    public static TfyContainer parse(byte[] bytes) throws TinifyFormatException {
        return TfyReader.parse(bytes);
    }

    // ---------------------------------------------------------------- validation shared with the reader and writer

    static void checkText(String what, String s) {
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

    static byte[] specHashBytes(String hex) {
        Objects.requireNonNull(hex, "specHash");
        int n = hex.length();
        if (n < 2 || n > 2 * MAX_HASH_BYTES || n % 2 != 0 || !isLowerHex(hex)) {
            throw new IllegalArgumentException("specHash must be 2.." + 2 * MAX_HASH_BYTES
                    + " lowercase hex digits (an even number), got '" + hex + "'");
        }
        return HexFormat.of().parseHex(hex);
    }

    static byte[] fingerprintBytes(String hex) {
        int n = 2 * StateDicts.FINGERPRINT_BYTES;
        if (hex.length() != n || !isLowerHex(hex)) {
            throw new IllegalArgumentException("weightsFingerprint must be " + n + " lowercase hex digits, got '" + hex + "'");
        }
        return HexFormat.of().parseHex(hex);
    }

    private static boolean isLowerHex(String s) {
        return s.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f');
    }

    @Override
    public String toString() {
        return "TfyContainer[v" + formatVersion() + " " + kind + " " + architecture + "@" + specHash + " weights "
                + Objects.toString(weightsFingerprint, "unrecorded") + " q" + qualityLabel() + " " + metric + ", " + entropyCoder + "/"
                + entropyParams + ", " + width + "x" + height + " " + padding + ", " + tiling + ", "
                + (segments.size() == 1 ? segments.get(0) : segments.size() + " segments, " + stringBytes() + " bytes") + "]";
    }
}
