package dev.tinify.runtime.video.files;

import dev.tinify.runtime.image.RgbImage;
import java.io.IOException;

/**
 * Writes a clip one RGB frame at a time. Nothing appears at the destination until {@link #finish()};
 * closing an unfinished writer removes what it wrote, so a failed run leaves no partial clip.
 */
public interface FrameWriter extends AutoCloseable {
    void write(RgbImage frame) throws IOException;

    /** Publishes the clip at its destination. */
    void finish() throws IOException;

    @Override
    void close() throws IOException;
}
