package dev.tinify.bench;

import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;

/** The photograph CompressAI's CPU timing anchors were measured on: data/dev8/sunset.png, 768x512. */
final class AnchorImage {
    private AnchorImage() {}

    static RgbImage read() throws IOException {
        RgbImage image = ImageFiles.read(ReferenceCase.sharedDir().resolve("data/dev8/sunset.png"));
        if (image.height() != 512 || image.width() != 768) {
            throw new IllegalStateException("expected a 768x512 image, got " + image.width() + "x" + image.height());
        }
        return image;
    }
}
