package dev.tinify.runtime.metrics;

import dev.tinify.runtime.image.RgbImage;

/** Shared argument check of the metrics. */
final class Sizes {
    private Sizes() {}

    static void requireSame(RgbImage a, RgbImage b) {
        if (a.height() != b.height() || a.width() != b.width()) {
            throw new IllegalArgumentException("images differ in size: " + a.width() + "x" + a.height() + " vs "
                    + b.width() + "x" + b.height());
        }
    }
}
