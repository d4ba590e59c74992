package dev.tinify.runtime.container;

/**
 * What a {@code .tfy} file holds, recorded as one byte from format version 3 on (older files are
 * images). A new kind of content gets a new constant and a body of its own in {@link TfyWriter}
 * and {@link TfyReader}; readers refuse kinds they do not know by name.
 */
public enum TfyKind {
    /** One RGB image, whole or in tiles. */
    IMAGE(0),
    /** One point cloud ({@link PointCloudContainer}). */
    POINT_CLOUD(1);

    private final int code;

    TfyKind(int code) {
        this.code = code;
    }

    /** The byte written for this kind. */
    public int code() {
        return code;
    }

    /** The kind with byte {@code code}. */
    static TfyKind of(int code) throws TinifyFormatException {
        for (TfyKind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        throw new TinifyFormatException("unknown .tfy content kind " + code + " (this reader knows " + java.util.Arrays.toString(values())
                + "): update Tinify to read it");
    }
}
