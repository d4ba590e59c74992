package dev.tinify.runtime.video.files;

/** Chroma subsampling of a YCbCr frame. */
public enum Chroma {
    /** Both chroma planes at half width and half height (Y4M {@code C420}, {@code C420jpeg}, ...). */
    C420(2),
    /** Full-resolution chroma (Y4M {@code C444}). */
    C444(1);

    private final int factor;

    Chroma(int factor) {
        this.factor = factor;
    }

    /** Width or height of a chroma plane for a luma side of {@code size}. */
    public int chromaSize(int size) {
        return (size + factor - 1) / factor;
    }

    /** Samples in one frame of {@code width x height}. */
    public long frameSamples(int width, int height) {
        return (long) width * height + 2L * chromaSize(width) * chromaSize(height);
    }

    /** Y4M's colour-space tag. */
    public String y4mTag() {
        return this == C420 ? "420jpeg" : "444";
    }
}
