package dev.tinify.runtime.video.files;

import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Reads a clip's frames as stored, 8-bit YCbCr planes, one at a time: what video metrics on
 * Y, Cb and Cr compare against (CompressAI's {@code psnr-y}, {@code psnr-u}, {@code psnr-v}).
 */
public interface YuvReader extends AutoCloseable {
    /** The clip's size, frame rate and chroma subsampling. */
    VideoFormat format();

    /** The next frame, or null at the end of the clip; a damaged frame is an {@link IOException} naming the file. */
    @Nullable YuvFrame next() throws IOException;

    @Override
    void close() throws IOException;
}
