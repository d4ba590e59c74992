package dev.tinify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;

/** Real photographs from the shared data folder ({@code data/train256}) as 1x3xHxW tensors in [0, 1]. */
final class TestImages {
    private TestImages() {}

    /** The top-left {@code size x size} crop of training image {@code name}. */
    static NDArray trainCrop(NDManager manager, String name, int size) throws IOException {
        RgbImage img = ImageFiles.read(ReferenceCase.sharedDir().resolve("data").resolve("train256").resolve(name));
        return img.crop(new Padding(0, img.width() - size, 0, img.height() - size)).toNDArray(manager);
    }
}
