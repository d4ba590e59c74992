package dev.tinify.runtime.video.files;

import dev.tinify.runtime.image.RgbImage;

/** The size, frame rate ({@code fpsNum/fpsDen} frames per second) and chroma subsampling of a clip. */
public record VideoFormat(int width, int height, int fpsNum, int fpsDen, Chroma chroma) {
    public VideoFormat {
        RgbImage.checkSize(height, width);
        if (fpsNum <= 0 || fpsDen <= 0) {
            throw new IllegalArgumentException("frame rate " + fpsNum + ":" + fpsDen + " must be positive");
        }
    }

    /** Frames per second. */
    public double fps() {
        return (double) fpsNum / fpsDen;
    }
}
