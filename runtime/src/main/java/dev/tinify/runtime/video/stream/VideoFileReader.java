package dev.tinify.runtime.video.stream;

import dev.tinify.runtime.container.TinifyFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads a {@code .tfy} video one frame at a time. {@link #next()} returns the frames in order and,
 * after the last, checks the keyframe index and the trailer against what it read; {@link #seek}
 * moves to a keyframe through the index. A damaged file ends in a {@link TinifyFormatException}
 * naming the file, the byte offset and what is wrong.
 */
public final class VideoFileReader implements AutoCloseable {
    /** A keyframe's frame index and the byte offset of its record. */
    public record Keyframe(long frame, long offset) {}

    private final Path file;
    private final SeekableByteChannel channel;
    private final Cursor cursor;
    private final VideoHeader header;
    private final List<Keyframe> seen = new ArrayList<>();
    private long nextFrame;
    /** The first frame read since the start or the last seek: the index is checked from there on. */
    private long firstRead;
    private boolean ended;

    private VideoFileReader(Path file, SeekableByteChannel channel) throws IOException {
        this.file = file;
        this.channel = channel;
        this.cursor = new Cursor(file, channel);
        this.header = VideoFileFormat.parseHeader(cursor);
    }

    /** Opens {@code file} and reads its header. */
    public static VideoFileReader open(Path file) throws IOException {
        SeekableByteChannel ch = Files.newByteChannel(file);
        try {
            return new VideoFileReader(file, ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Whether {@code file} starts as a {@code .tfy} video does. */
    public static boolean isVideo(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            return VideoFileFormat.sniff(in.readNBytes(VideoFileFormat.MAGIC.length));
        }
    }

    public VideoHeader header() {
        return header;
    }

    /** The next frame, or null after the last one (once the index and trailer are verified). */
    public @Nullable FrameRecord next() throws IOException {
        if (ended) {
            return null;
        }
        long offset = cursor.position();
        cursor.beginRecord();
        int tag = cursor.u8("record tag");
        if (tag == VideoFileFormat.FRAME) {
            FrameRecord r = VideoFileFormat.parseFrame(cursor, nextFrame, header);
            if (r.keyframe() && seen.stream().noneMatch(k -> k.frame() == r.index())) {
                seen.add(new Keyframe(r.index(), offset));
            }
            nextFrame++;
            return r;
        }
        if (tag != VideoFileFormat.INDEX) {
            throw cursor.bad("record tag " + tag + " is neither a frame nor the index");
        }
        List<Keyframe> index = readIndexBody(nextFrame);
        if (!index.stream().filter(k -> k.frame() >= firstRead).toList().equals(seen)) {
            throw cursor.bad("the keyframe index does not match the frames");
        }
        readTrailer(offset);
        ended = true;
        return null;
    }

    /** The keyframe index, read from the end of the file (the reading position is kept). */
    public List<Keyframe> keyframes() throws IOException {
        long keep = cursor.position();
        try {
            long size = cursor.size();
            if (size < VideoFileFormat.TRAILER_BYTES) {
                throw new TinifyFormatException(file + ": too short for a .tfy video trailer");
            }
            cursor.seek(size - VideoFileFormat.TRAILER_BYTES);
            long indexOffset = cursor.u64("index offset");
            byte[] magic = cursor.bytes(4, "trailer");
            if (!Arrays.equals(magic, VideoFileFormat.TRAILER_MAGIC) || indexOffset >= size - VideoFileFormat.TRAILER_BYTES) {
                throw cursor.bad("the trailer is damaged (the file may be cut short)");
            }
            cursor.seek(indexOffset);
            cursor.beginRecord();
            if (cursor.u8("index tag") != VideoFileFormat.INDEX) {
                throw cursor.bad("the trailer does not point at the index");
            }
            return readIndexBody(-1);
        } finally {
            cursor.seek(keep);
        }
    }

    /** Moves to the last keyframe at or before {@code frame}; the next {@link #next()} returns it. Returns its index. */
    public long seek(long frame) throws IOException {
        Keyframe best = null;
        for (Keyframe k : keyframes()) {
            if (k.frame() <= frame && (best == null || k.frame() > best.frame())) {
                best = k;
            }
        }
        if (best == null) {
            throw new TinifyFormatException(file + ": no keyframe at or before frame " + frame);
        }
        cursor.seek(best.offset());
        nextFrame = best.frame();
        firstRead = best.frame();
        seen.clear();
        ended = false;
        return best.frame();
    }

    /** Reads the index after its tag; with {@code frames >= 0} its frame count must equal it. */
    private List<Keyframe> readIndexBody(long frames) throws IOException {
        long count = cursor.u31("frame count");
        if (frames >= 0 && count != frames) {
            throw cursor.bad("the index counts " + count + " frames, the file holds " + frames);
        }
        long keys = cursor.u31("keyframe count");
        if (keys * 12 > cursor.size() - cursor.position()) {
            throw cursor.bad("the index declares " + keys + " keyframes, more than the file can hold");
        }
        List<Keyframe> out = new ArrayList<>();
        for (long i = 0; i < keys; i++) {
            out.add(new Keyframe(cursor.u31("keyframe"), cursor.u64("keyframe offset")));
        }
        cursor.crc("index");
        return out;
    }

    private void readTrailer(long indexOffset) throws IOException {
        long stored = cursor.u64("index offset");
        byte[] magic = cursor.bytes(4, "trailer");
        if (stored != indexOffset || !Arrays.equals(magic, VideoFileFormat.TRAILER_MAGIC)) {
            throw cursor.bad("the trailer is damaged");
        }
        if (cursor.position() != cursor.size()) {
            throw cursor.bad((cursor.size() - cursor.position()) + " unexpected bytes after the trailer");
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
