package dev.tinify.runtime.video.stream;

import dev.tinify.runtime.container.AtomicOutput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a {@code .tfy} video frame by frame into a temporary file beside the destination;
 * {@link #finish()} appends the keyframe index and moves the file into place atomically, and
 * {@link #close()} without finish removes it, so no partial file is ever left at the destination.
 */
public final class VideoFileWriter implements AutoCloseable {
    private final AtomicOutput file;
    private final VideoHeader header;
    private final List<long[]> keyframes = new ArrayList<>();
    private long offset;
    private long frames;
    private long codedBytes;

    private VideoFileWriter(Path target, VideoHeader header) throws IOException {
        this.header = header;
        this.file = AtomicOutput.open(target);
        try {
            put(VideoFileFormat.header(header));
        } catch (IOException e) {
            file.close();
            throw e;
        }
    }

    /** Starts a file at {@code target} with {@code header}. */
    public static VideoFileWriter create(Path target, VideoHeader header) throws IOException {
        return new VideoFileWriter(target, header);
    }

    private void put(byte[] b) throws IOException {
        file.stream().write(b);
        offset += b.length;
    }

    /** Appends the next frame; its index and kind must follow the header's keyframe interval. */
    public void write(FrameRecord r) throws IOException {
        if (r.index() != frames || r.keyframe() != header.isKeyframe(frames)) {
            throw new IllegalArgumentException("frame " + r.index() + " (" + (r.keyframe() ? "key" : "inter")
                    + ") written as frame " + frames + " with keyframe interval " + header.gop());
        }
        if (r.keyframe()) {
            keyframes.add(new long[] {frames, offset});
        }
        put(VideoFileFormat.frame(r));
        frames++;
        codedBytes += r.codedBytes();
    }

    /** Frames written so far. */
    public long frames() {
        return frames;
    }

    /** Bytes written so far, header and framing included. */
    public long bytes() {
        return offset;
    }

    /** Entropy-coded bytes written so far. */
    public long codedBytes() {
        return codedBytes;
    }

    /** Writes the index and trailer and publishes the file. */
    public void finish() throws IOException {
        if (frames == 0) {
            throw new IllegalStateException(file.target() + ": a video needs at least one frame");
        }
        long indexOffset = offset;
        put(VideoFileFormat.index(frames, keyframes));
        put(VideoFileFormat.trailer(indexOffset));
        file.publish();
    }

    /** Removes what was written unless {@link #finish()} published it. */
    @Override
    public void close() throws IOException {
        file.close();
    }
}
