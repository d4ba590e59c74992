package dev.tinify.runtime.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * An RGB image as 32-bit floats, channel-major ({@code data[(c * height + y) * width + x]}), values
 * nominally in [0, 1] as CompressAI's models expect. The array is owned by the image and not
 * copied on access: callers must not modify the array of an image they did not create.
 */
public final class RgbImage {
    /** Largest pixel count accepted anywhere, so that a damaged header cannot ask for gigabytes. */
    public static final long MAX_PIXELS = 1L << 26;

    private final int height;
    private final int width;
    private final float[] data;

    /** Wraps {@code data} (length {@code 3 * height * width}, CHW) without copying. */
    public RgbImage(int height, int width, float[] data) {
        checkSize(height, width);
        if (data.length != 3 * height * width) {
            throw new IllegalArgumentException("RGB data of a " + width + "x" + height + " image needs "
                    + 3L * height * width + " floats, got " + data.length);
        }
        this.height = height;
        this.width = width;
        this.data = data;
    }

    /** Throws if {@code height x width} is not a positive size of at most {@link #MAX_PIXELS}. */
    public static void checkSize(long height, long width) {
        if (height < 1 || width < 1 || height * width > MAX_PIXELS) {
            throw new IllegalArgumentException("image size " + width + "x" + height
                    + " is out of range (each side >= 1, at most " + MAX_PIXELS + " pixels)");
        }
    }

    /** An image from 8-bit samples in CHW order, each divided by 255. */
    public static RgbImage from8Bit(int height, int width, int[] chw) {
        checkSize(height, width);
        if (chw.length != 3 * height * width) {
            throw new IllegalArgumentException("expected " + 3L * height * width + " samples, got " + chw.length);
        }
        float[] f = new float[chw.length];
        for (int i = 0; i < chw.length; i++) {
            int v = chw[i];
            if (v < 0 || v > 255) {
                throw new IllegalArgumentException("8-bit sample " + v + " at index " + i + " is outside 0..255");
            }
            f[i] = v / 255f;
        }
        return new RgbImage(height, width, f);
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** The CHW sample array (not a copy). */
    public float[] data() {
        return data;
    }

    /** Sample of channel {@code c} (0 = R, 1 = G, 2 = B) at row {@code y}, column {@code x}. */
    public float get(int c, int y, int x) {
        return data[(c * height + y) * width + x];
    }

    /**
     * The 8-bit values CompressAI's evaluation measures: each sample clamped to [0, 1], times 255
     * in float32 and rounded half to even (as {@code torch.round}). CHW order.
     *
     * @throws IllegalArgumentException on a NaN sample, which has no 8-bit value
     */
    public int[] to8Bit() {
        int[] out = new int[data.length];
        for (int i = 0; i < data.length; i++) {
            float v = data[i];
            if (Float.isNaN(v)) {
                int plane = height * width;
                throw new IllegalArgumentException("NaN sample at channel " + i / plane + ", row "
                        + i % plane / width + ", column " + i % width);
            }
            float clamped = Math.min(1f, Math.max(0f, v));
            out[i] = (int) Math.rint(clamped * 255f);
        }
        return out;
    }

    /** This image quantized to 8 bits and back, as a decoded image is before it is measured. */
    public RgbImage rounded8Bit() {
        return from8Bit(height, width, to8Bit());
    }

    /** A new image with {@code p} zero-filled borders added (CompressAI pads with constant 0). */
    public RgbImage pad(Padding p) {
        int h = p.paddedHeight(height);
        int w = p.paddedWidth(width);
        checkSize(h, w);
        float[] out = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < height; y++) {
                System.arraycopy(data, (c * height + y) * width, out, (c * h + y + p.top()) * w + p.left(), width);
            }
        }
        return new RgbImage(h, w, out);
    }

    /** Removes the borders {@code p} added by {@link #pad}: the inverse of {@code pad(p)}. */
    public RgbImage crop(Padding p) {
        int h = height - p.top() - p.bottom();
        int w = width - p.left() - p.right();
        if (h < 1 || w < 1) {
            throw new IllegalArgumentException("cannot remove padding " + p + " from a " + width + "x" + height + " image");
        }
        float[] out = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(data, (c * height + y + p.top()) * width + p.left(), out, (c * h + y) * w, w);
            }
        }
        return new RgbImage(h, w, out);
    }

    /** The image as a float32 NDArray of shape [1, 3, H, W] in {@code manager}. */
    public NDArray toNDArray(NDManager manager) {
        return manager.create(data, new Shape(1, 3, height, width));
    }

    /**
     * Copies an NDArray of shape [1, 3, H, W] or [3, H, W] (any floating type) into an image.
     * Values are taken as they are: clamping and rounding happen in {@link #to8Bit()}.
     */
    public static RgbImage fromNDArray(NDArray array) {
        Shape s = array.getShape();
        boolean batched = s.dimension() == 4 && s.get(0) == 1 && s.get(1) == 3;
        boolean plain = s.dimension() == 3 && s.get(0) == 3;
        if (!batched && !plain) {
            throw new IllegalArgumentException("expected an image tensor of shape [1, 3, H, W] or [3, H, W], got " + s);
        }
        long h = s.get(s.dimension() - 2);
        long w = s.get(s.dimension() - 1);
        checkSize(h, w);
        float[] values = array.getDataType() == DataType.FLOAT32
                ? array.toFloatArray()
                : toFloat32(array);
        return new RgbImage((int) h, (int) w, values);
    }

    private static float[] toFloat32(NDArray array) {
        if (!array.getDataType().isFloating()) {
            throw new IllegalArgumentException("expected a floating-point image tensor, got " + array.getDataType());
        }
        try (NDArray f = array.toType(DataType.FLOAT32, true)) {
            return f.toFloatArray();
        }
    }
}
