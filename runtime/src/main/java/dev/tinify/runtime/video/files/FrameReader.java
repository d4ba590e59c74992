package dev.tinify.runtime.video.files;

import dev.tinify.runtime.image.RgbImage;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/** Reads a clip one RGB frame at a time, holding only the current frame. */
public interface FrameReader extends AutoCloseable {
    /** The clip's size, frame rate and chroma subsampling. */
    VideoFormat format();

    /** The next frame, or null at the end of the clip; a damaged frame is an {@link IOException} naming the file. */
    @Nullable RgbImage next() throws IOException;

    /** How many frames the clip holds, as far as known before reading them (for progress display), or -1. */
    default long expectedFrames() {
        return -1;
    }

    @Override
    void close() throws IOException;
}
