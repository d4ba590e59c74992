package dev.tinify.runtime.video.stream;

import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.video.files.Chroma;
import dev.tinify.runtime.video.files.ColorSpace;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The byte layout of a {@code .tfy} video, version 1 (integers big-endian):
 * <ol>
 *   <li>magic {@code 0x89 'T' 'F' 'V'}, version byte; the header: architecture, metric and coder
 *       (each a length byte and UTF-8), mid planes and planes (u16), weights fingerprint (16
 *       bytes), quality (u16), width and height (u32), padding left, right, top, bottom (u16),
 *       frame rate numerator and denominator (u32), keyframe interval (u32), chroma, colour matrix
 *       and range (one byte each); CRC-32C of the header (u32);</li>
 *   <li>one record per frame: {@code 'F'}, frame index (u32), kind (0 keyframe, 1 inter), then per
 *       part (1 or 2, by kind): h_z and w_z (u16), two streams each a u32 length and its bytes;
 *       CRC-32C of the record;</li>
 *   <li>the index: {@code 'X'}, frame count (u32), keyframe count (u32), then per keyframe its
 *       frame index (u32) and the byte offset of its record (u64); CRC-32C;</li>
 *   <li>the trailer: the index's byte offset (u64) and {@code "TFVE"}.</li>
 * </ol>
 * A reader can stream the records from the start, or read the trailer and the index to seek to a
 * keyframe. Every length is checked against the bytes that remain before anything is allocated.
 */
final class VideoFileFormat {
    static final byte[] MAGIC = {(byte) 0x89, 'T', 'F', 'V'};
    static final byte[] TRAILER_MAGIC = {'T', 'F', 'V', 'E'};
    static final int VERSION = 1;
    static final byte FRAME = 'F';
    static final byte INDEX = 'X';
    static final int TRAILER_BYTES = 12;

    private VideoFileFormat() {}

    /** Whether {@code start} (the first bytes of a file) is a {@code .tfy} video. */
    static boolean sniff(byte[] start) {
        if (start.length < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (start[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    static byte[] header(VideoHeader h) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buf);
        out.write(MAGIC);
        out.writeByte(VERSION);
        text(out, h.architecture());
        text(out, h.metric());
        text(out, h.entropyCoder());
        out.writeShort(h.midPlanes());
        out.writeShort(h.planes());
        out.write(HexFormat.of().parseHex(h.weightsFingerprint()));
        out.writeShort(h.quality());
        out.writeInt(h.width());
        out.writeInt(h.height());
        Padding p = h.padding();
        out.writeShort(p.left());
        out.writeShort(p.right());
        out.writeShort(p.top());
        out.writeShort(p.bottom());
        out.writeInt(h.fpsNum());
        out.writeInt(h.fpsDen());
        out.writeInt(h.gop());
        out.writeByte(h.chroma().ordinal());
        out.writeByte(h.colorSpace().matrix().ordinal());
        out.writeByte(h.colorSpace().fullRange() ? 1 : 0);
        return withCrc(buf.toByteArray());
    }

    static byte[] frame(FrameRecord r) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buf);
        out.writeByte(FRAME);
        out.writeInt(Math.toIntExact(r.index()));
        out.writeByte(r.keyframe() ? 0 : 1);
        for (FrameRecord.Part part : r.parts()) {
            out.writeShort(part.zHeight());
            out.writeShort(part.zWidth());
            if (part.streams().size() != 2) {
                throw new IllegalArgumentException("a part has two streams (y, z), got " + part.streams().size());
            }
            for (byte[] s : part.streams()) {
                out.writeInt(s.length);
                out.write(s);
            }
        }
        return withCrc(buf.toByteArray());
    }

    static byte[] index(long frames, List<long[]> keyframes) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buf);
        out.writeByte(INDEX);
        out.writeInt(Math.toIntExact(frames));
        out.writeInt(keyframes.size());
        for (long[] k : keyframes) {
            out.writeInt(Math.toIntExact(k[0]));
            out.writeLong(k[1]);
        }
        return withCrc(buf.toByteArray());
    }

    static byte[] trailer(long indexOffset) {
        return ByteBuffer.allocate(TRAILER_BYTES).putLong(indexOffset).put(TRAILER_MAGIC).array();
    }

    private static void text(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeByte(b.length);
        out.write(b);
    }

    private static byte[] withCrc(byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(body);
        return ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).array();
    }

    /** Parses the header at the cursor. */
    static VideoHeader parseHeader(Cursor c) throws IOException {
        c.beginRecord();
        byte[] magic = c.bytes(MAGIC.length, "magic");
        if (!sniff(magic)) {
            throw c.bad("not a .tfy video (magic)");
        }
        int version = c.u8("version");
        if (version != VERSION) {
            throw c.bad("unsupported .tfy video version " + version + " (this build reads " + VERSION + ")");
        }
        String arch = c.text("architecture");
        String metric = c.text("metric");
        String coder = c.text("entropy coder");
        int mid = c.u16("mid planes");
        int planes = c.u16("planes");
        String fingerprint = HexFormat.of().formatHex(c.bytes(VideoHeader.FINGERPRINT_BYTES, "weights fingerprint"));
        int quality = c.u16("quality");
        int width = c.u31("width");
        int height = c.u31("height");
        Padding padding = new Padding(c.u16("padding"), c.u16("padding"), c.u16("padding"), c.u16("padding"));
        int fpsNum = c.u31("frame rate");
        int fpsDen = c.u31("frame rate");
        int gop = c.u31("keyframe interval");
        Chroma chroma = c.choice(Chroma.values(), "chroma");
        ColorSpace.Matrix matrix = c.choice(ColorSpace.Matrix.values(), "colour matrix");
        int range = c.u8("colour range");
        if (range > 1) {
            throw c.bad("colour range byte " + range + " is not 0 or 1");
        }
        c.crc("header");
        try {
            return new VideoHeader(arch, mid, planes, fingerprint, quality, metric, coder, width, height, padding, fpsNum, fpsDen,
                    gop, chroma, new ColorSpace(matrix, range == 1));
        } catch (IllegalArgumentException e) {
            throw c.bad("header: " + e.getMessage());
        }
    }

    /** Parses a frame record after its tag byte (read after {@link Cursor#beginRecord()}). */
    static FrameRecord parseFrame(Cursor c, long expectedIndex, VideoHeader header) throws IOException {
        long index = c.u31("frame index");
        if (index != expectedIndex) {
            throw c.bad("frame record " + expectedIndex + " says it is frame " + index);
        }
        int kind = c.u8("frame kind");
        if (kind > 1) {
            throw c.bad("frame " + index + ": kind " + kind + " is neither keyframe (0) nor inter (1)");
        }
        boolean key = kind == 0;
        if (key != header.isKeyframe(index)) {
            throw c.bad("frame " + index + " is " + (key ? "a keyframe" : "an inter frame") + " but the keyframe interval is "
                    + header.gop());
        }
        List<String> names = key ? FrameRecord.KEY_PARTS : FrameRecord.INTER_PARTS;
        List<FrameRecord.Part> parts = new ArrayList<>();
        for (String name : names) {
            int zh = c.u16(name + " h_z");
            int zw = c.u16(name + " w_z");
            List<byte[]> streams = new ArrayList<>();
            for (int s = 0; s < 2; s++) {
                long n = c.u32("stream length");
                streams.add(c.bytes(n, "frame " + index + " " + name + " stream " + s));
            }
            parts.add(new FrameRecord.Part(name, streams, zh, zw));
        }
        c.crc("frame " + index);
        return new FrameRecord(index, key, parts);
    }
}
