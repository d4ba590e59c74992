package dev.tinify.runtime.container;

import dev.tinify.runtime.checkpoint.StateDicts;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * Writes a {@link TfyContainer} or a {@link PointCloudContainer} as a {@code .tfy} file.
 *
 * <p>Layout (integers are unsigned LEB128 varints, canonical, at most 31 bits, unless noted):
 * <ol>
 *   <li>magic {@code 0x89 'T' 'F' 'Y'}, then the format version (one byte, 1..4);
 *   <li>from version 3 on, the content kind (one byte, {@link TfyKind#code()});
 *   <li>model id: architecture name (text), spec hash (one length byte 1..64, then raw bytes),
 *       and from version 2 on the weights fingerprint ({@value StateDicts#FINGERPRINT_BYTES} raw
 *       bytes, {@link StateDicts#fingerprint}): which weights encoded the image;
 *   <li>quality; from version 4 on, the fractional quality of a variable-rate model coded between
 *       its trained levels (an IEEE 754 double, 8 bytes big-endian, strictly between quality and
 *       quality + 1); metric (text); entropy coder name (text); how the entropy parameters were
 *       computed (text, {@code "libtorch"} today), so that another implementation can be told
 *       apart without a new format version;
 *   <li>an image: original height and width; padding left, right, top, bottom; from version 3
 *       on, the tile size (0 = whole image), the tile overlap and the number of segments (one per
 *       tile, as {@link dev.tinify.runtime.image.Tiling#tiles} orders them); versions 1 and 2
 *       hold one segment;
 *   <li>a point cloud (version 3, kind {@link TfyKind#POINT_CLOUD}): the input's point count,
 *       the normalization's centre x, y, z and scale (four IEEE float32, big-endian), then one
 *       segment;
 *   <li>per segment: the latent shape as a tagged tree (tag 0 = int, zigzag varint; 1 = list:
 *       count, items; 2 = map: count, then text key and value per entry), then the strings:
 *       stream count, batch size, the length of every string (stream-major), then the bytes of
 *       every string in the same order;
 *   <li>CRC-32C of every preceding byte, 4 bytes big-endian.
 * </ol>
 * Text is a varint byte length (1..255) followed by UTF-8 without control characters. The
 * version written is {@link TfyContainer#formatVersion()}, the oldest that holds the container.
 */
public final class TfyWriter {
    static final byte[] MAGIC = {(byte) 0x89, 'T', 'F', 'Y'};
    static final int TAG_INT = 0;
    static final int TAG_LIST = 1;
    static final int TAG_MAP = 2;

    private TfyWriter() {}

    /** The file's bytes, in {@link TfyContainer#formatVersion()}. */
    public static byte[] toBytes(TfyContainer c) {
        Out out = new Out();
        int version = c.formatVersion();
        model(out, c, version, c.weightsFingerprint(), c.qualityValue());
        out.varint(c.height());
        out.varint(c.width());
        out.varint(c.padding().left());
        out.varint(c.padding().right());
        out.varint(c.padding().top());
        out.varint(c.padding().bottom());
        if (version >= TfyContainer.FORMAT_VERSION_TILED) {
            out.varint(c.tiling().tile());
            out.varint(c.tiling().overlap());
            out.varint(c.segments().size());
        }
        for (LatentSegment s : c.segments()) {
            segment(out, s);
        }
        return finish(out);
    }

    /** The file's bytes (format version 3, kind {@link TfyKind#POINT_CLOUD}). */
    public static byte[] toBytes(PointCloudContainer c) {
        Out out = new Out();
        model(out, c, PointCloudContainer.FORMAT_VERSION, c.weightsFingerprint(), c.quality());
        out.varint(c.pointCount());
        out.f32(c.normalization().x());
        out.f32(c.normalization().y());
        out.f32(c.normalization().z());
        out.f32(c.normalization().scale());
        segment(out, c.segment());
        return finish(out);
    }

    /**
     * Magic, version, kind (from version 3) and what identifies the model: everything before the
     * content; {@code qualityValue} is written from version 4 on.
     */
    private static void model(Out out, TfyFile c, int version, @Nullable String weightsFingerprint, double qualityValue) {
        out.bytes(MAGIC);
        out.u8(version);
        if (version >= TfyContainer.FORMAT_VERSION_TILED) {
            out.u8(c.kind().code());
        }
        out.text(c.architecture());
        byte[] hash = TfyContainer.specHashBytes(c.specHash());
        out.u8(hash.length);
        out.bytes(hash);
        if (weightsFingerprint != null) {
            out.bytes(TfyContainer.fingerprintBytes(weightsFingerprint));
        }
        out.varint(c.quality());
        if (version >= TfyContainer.FORMAT_VERSION) {
            long bits = Double.doubleToRawLongBits(qualityValue);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.u8((int) (bits >>> shift));
            }
        }
        out.text(c.metric());
        out.text(c.entropyCoder());
        out.text(c.entropyParams());
    }

    /** Appends the CRC-32C of everything written and returns the bytes. */
    private static byte[] finish(Out out) {
        CRC32C crc = new CRC32C();
        crc.update(out.buf, 0, out.size);
        long v = crc.getValue();
        out.u8((int) (v >>> 24));
        out.u8((int) (v >>> 16));
        out.u8((int) (v >>> 8));
        out.u8((int) v);
        return Arrays.copyOf(out.buf, out.size);
    }

    private static void segment(Out out, LatentSegment s) {
        shape(out, s.shape());
        List<List<byte[]>> strings = s.strings();
        out.varint(strings.size());
        out.varint(strings.get(0).size());
        for (List<byte[]> stream : strings) {
            for (byte[] b : stream) {
                out.varint(b.length);
            }
        }
        for (List<byte[]> stream : strings) {
            for (byte[] b : stream) {
                out.bytes(b);
            }
        }
    }

    private static void shape(Out out, Object node) {
        if (node instanceof Integer i) {
            out.u8(TAG_INT);
            out.varint((i << 1) ^ (i >> 31));
        } else if (node instanceof List<?> list) {
            out.u8(TAG_LIST);
            out.varint(list.size());
            for (Object o : list) {
                shape(out, o);
            }
        } else {
            Map<?, ?> map = (Map<?, ?>) node;
            out.u8(TAG_MAP);
            out.varint(map.size());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.text((String) e.getKey());
                shape(out, e.getValue());
            }
        }
    }

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

        void f32(float v) {
            int bits = Float.floatToIntBits(v);
            u8(bits >>> 24);
            u8(bits >>> 16);
            u8(bits >>> 8);
            u8(bits);
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
            byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            varint(b.length);
            bytes(b);
        }
    }
}
