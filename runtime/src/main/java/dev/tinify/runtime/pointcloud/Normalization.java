package dev.tinify.runtime.pointcloud;

/**
 * How a cloud was moved into a model's input range: positions are centred on {@code centre} and
 * divided by {@code scale}, as CompressAI's {@code NormalizeScaleV2} prepares ModelNet (centre
 * the mean, scale the largest absolute coordinate, so every coordinate lies in [-1, 1]). A
 * decoder multiplies back and adds the centre. A {@code .tfy} point cloud records it.
 *
 * @param x centre x
 * @param y centre y
 * @param z centre z
 * @param scale divisor, finite and positive
 */
public record Normalization(float x, float y, float z, float scale) {
    /** No change: centre 0, scale 1. */
    public static final Normalization IDENTITY = new Normalization(0, 0, 0, 1);

    public Normalization {
        if (!Float.isFinite(x) || !Float.isFinite(y) || !Float.isFinite(z)) {
            throw new IllegalArgumentException("normalization centre must be finite, got (" + x + ", " + y + ", " + z + ")");
        }
        if (!(scale >= Float.MIN_NORMAL) || !Float.isFinite(scale)) {
            throw new IllegalArgumentException("normalization scale must be finite and at least " + Float.MIN_NORMAL + ", got " + scale);
        }
    }

    /**
     * The mean of the positions as centre, the largest absolute centred coordinate as scale (1 for
     * a single point).
     *
     * @throws IllegalArgumentException if the cloud is empty, or its points lie so far apart
     *     (beyond {@link Float#MAX_VALUE} from their mean) that no float32 scale fits them
     */
    public static Normalization fit(PointCloud cloud) {
        int n = cloud.size();
        if (n == 0) {
            throw new IllegalArgumentException("cannot normalize an empty point cloud");
        }
        float[] p = cloud.xyz();
        double[] mean = new double[3];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < 3; a++) {
                mean[a] += p[3 * i + a];
            }
        }
        float[] c = new float[3];
        for (int a = 0; a < 3; a++) {
            c[a] = (float) (mean[a] / n);
        }
        double max = 0;
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < 3; a++) {
                max = Math.max(max, Math.abs((double) p[3 * i + a] - c[a]));
            }
        }
        if (max > Float.MAX_VALUE) {
            throw new IllegalArgumentException("the cloud's coordinates lie up to " + max + " from their mean, beyond the float32 range "
                    + "a model's input is scaled in");
        }
        float scale = (float) max;
        return new Normalization(c[0], c[1], c[2], scale >= Float.MIN_NORMAL ? scale : 1f);
    }

    /** {@code (p - centre) / scale} for every position, in a new array. */
    public float[] apply(float[] xyz) {
        float[] out = new float[xyz.length];
        for (int i = 0; i < xyz.length; i += 3) {
            out[i] = (xyz[i] - x) / scale;
            out[i + 1] = (xyz[i + 1] - y) / scale;
            out[i + 2] = (xyz[i + 2] - z) / scale;
        }
        return out;
    }

    /** {@code p * scale + centre} for every position, in a new array: the inverse of {@link #apply}. */
    public float[] undo(float[] xyz) {
        float[] out = new float[xyz.length];
        for (int i = 0; i < xyz.length; i += 3) {
            out[i] = xyz[i] * scale + x;
            out[i + 1] = xyz[i + 1] * scale + y;
            out[i + 2] = xyz[i + 2] * scale + z;
        }
        return out;
    }
}
