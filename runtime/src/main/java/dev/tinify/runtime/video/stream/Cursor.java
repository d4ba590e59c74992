package dev.tinify.runtime.video.stream;

import dev.tinify.runtime.container.TinifyFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Reads a {@code .tfy} video field by field, checking each length against the bytes left in the
 * file before allocating, and keeping the CRC-32C of the current record. Errors are
 * {@link TinifyFormatException}s naming the file and the byte offset.
 */
final class Cursor {
    private final Path file;
    private final SeekableByteChannel channel;
    private final long size;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
    private long position;
    private CRC32C crc = new CRC32C();

    Cursor(Path file, SeekableByteChannel channel) throws IOException {
        this.file = file;
        this.channel = channel;
        this.size = channel.size();
        buffer.limit(0);
    }

    long position() {
        return position;
    }

    long size() {
        return size;
    }

    /** Moves to {@code offset}, which must lie inside the file. */
    void seek(long offset) throws IOException {
        if (offset < 0 || offset > size) {
            throw bad("offset " + offset + " is outside the file (" + size + " bytes)");
        }
        channel.position(offset);
        position = offset;
        buffer.limit(0);
    }

    void beginRecord() {
        crc = new CRC32C();
    }

    /** Reads the stored CRC-32C and compares it with the record read since {@link #beginRecord()}. */
    void crc(String what) throws IOException {
        long expected = crc.getValue();
        long stored = u32(what + " checksum");
        if (stored != expected) {
            throw bad(what + " is damaged (checksum mismatch)");
        }
    }

    TinifyFormatException bad(String problem) {
        return new TinifyFormatException(file + ": " + problem + " (at byte " + position + ")");
    }

    byte[] bytes(long n, String what) throws IOException {
        if (n < 0 || n > size - position) {
            throw bad(what + ": " + n + " bytes declared, " + (size - position) + " left in the file");
        }
        byte[] out = new byte[(int) n];
        int off = 0;
        while (off < out.length) {
            if (!buffer.hasRemaining()) {
                buffer.clear();
                int r = channel.read(buffer);
                buffer.flip();
                if (r <= 0) {
                    throw bad(what + ": the file ends early");
                }
            }
            int k = Math.min(buffer.remaining(), out.length - off);
            buffer.get(out, off, k);
            off += k;
        }
        crc.update(out);
        position += n;
        return out;
    }

    int u8(String what) throws IOException {
        return bytes(1, what)[0] & 0xff;
    }

    int u16(String what) throws IOException {
        return ByteBuffer.wrap(bytes(2, what)).getShort() & 0xffff;
    }

    long u32(String what) throws IOException {
        return ByteBuffer.wrap(bytes(4, what)).getInt() & 0xffffffffL;
    }

    /** A u32 that must fit a non-negative int. */
    int u31(String what) throws IOException {
        long v = u32(what);
        if (v > Integer.MAX_VALUE) {
            throw bad(what + " " + v + " is too large");
        }
        return (int) v;
    }

    long u64(String what) throws IOException {
        long v = ByteBuffer.wrap(bytes(8, what)).getLong();
        if (v < 0) {
            throw bad(what + " is negative");
        }
        return v;
    }

    String text(String what) throws IOException {
        int n = u8(what + " length");
        if (n == 0) {
            throw bad(what + " is empty");
        }
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes(n, what))).toString();
            if (s.chars().anyMatch(c -> c < 0x20)) {
                throw bad(what + " holds control characters");
            }
            return s;
        } catch (CharacterCodingException e) {
            throw bad(what + " is not UTF-8");
        }
    }

    <E extends Enum<E>> E choice(E[] values, String what) throws IOException {
        int v = u8(what);
        if (v >= values.length) {
            throw bad(what + " byte " + v + " is not one of 0.." + (values.length - 1));
        }
        return values[v];
    }
}
