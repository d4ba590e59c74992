package dev.tinify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.reference.ReferenceCase;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Real photographs from the shared data folder as 1x3xHxW tensors in [0, 1]. */
final class TestImages {
    private TestImages() {}

    /** A training crop: {@code train256/<name>}, top-left {@code size x size}. */
    static Path train(String name) {
        return ReferenceCase.sharedDir().resolve("data").resolve("train256").resolve(name);
    }

    /** Reads the top-left {@code size x size} crop of an 8-bit RGB image as values / 255. */
    static NDArray crop(NDManager manager, Path png, int size) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        if (img == null || img.getWidth() < size || img.getHeight() < size) {
            throw new IOException(png + ": not a readable image of at least " + size + "x" + size);
        }
        float[] chw = new float[3 * size * size];
        for (int yy = 0; yy < size; yy++) {
            for (int xx = 0; xx < size; xx++) {
                int rgb = img.getRGB(xx, yy);
                int i = yy * size + xx;
                chw[i] = ((rgb >> 16) & 0xff) / 255f;
                chw[size * size + i] = ((rgb >> 8) & 0xff) / 255f;
                chw[2 * size * size + i] = (rgb & 0xff) / 255f;
            }
        }
        return manager.create(chw, new Shape(1, 3, size, size));
    }
}
