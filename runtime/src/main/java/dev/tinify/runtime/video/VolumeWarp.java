package dev.tinify.runtime.video;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.ops.Scalars;

/**
 * Trilinear warping of a scale-space volume [N, C, D, H, W] by a flow [N, 2, H, W] (x then y, in
 * the normalized [-1, 1] coordinates of {@code affine_grid}) and a scale field [N, 1, H, W] (the
 * normalized depth coordinate): output pixel (h, w) samples the volume at
 * (x_w + flow_x, y_h + flow_y, scale), as {@code F.grid_sample(volume, grid, mode="bilinear",
 * padding_mode="border", align_corners=False)} does on a 5-D input with the identity grid of
 * {@code affine_grid} plus the flow (CompressAI's {@code warp_volume}). The result is [N, C, H, W].
 *
 * <p>The engine has no {@code grid_sample}, so this is index arithmetic and {@code gather}:
 * coordinates are unnormalized ({@code ((g + 1)·size - 1) / 2}), clamped to the border, split into
 * an integer corner and a fraction, and the eight corners are gathered from the volume flattened
 * to [N, C, D·H·W] and mixed with PyTorch's weights, in PyTorch's order. Autograd differentiates
 * it like {@code grid_sample}: into the volume through the gather, into the flow and the scale
 * field through the weights, with a zero gradient where a coordinate is clamped.
 *
 * <p>As the {@code volume_warp} part of a frame codec it is a module without parameters.
 */
public final class VolumeWarp extends Module {
    /** The {@code volume_warp} part. */
    public VolumeWarp() {}

    /** {@link #warp} with the flow (channels 0-1) and scale field (channel 2) of {@code motionInfo} [N, 3, H, W]. */
    public NDArray apply(NDArray volume, NDArray motionInfo) {
        if (motionInfo.getShape().dimension() != 4 || motionInfo.getShape().get(1) != 3) {
            throw new IllegalArgumentException("warp needs motion [N, 3, H, W] (flow x, flow y, scale), got " + motionInfo.getShape());
        }
        NDList parts = motionInfo.split(new long[] {2}, 1);
        return warp(volume, parts.get(0), parts.get(1));
    }

    /** Warps {@code volume} by {@code flow} and {@code scale}; see the class comment. */
    public static NDArray warp(NDArray volume, NDArray flow, NDArray scale) {
        Shape vs = volume.getShape();
        if (vs.dimension() != 5) {
            throw new IllegalArgumentException("warp needs a volume [N, C, D, H, W], got " + vs);
        }
        long n = vs.get(0);
        long c = vs.get(1);
        int d = Math.toIntExact(vs.get(2));
        int h = Math.toIntExact(vs.get(3));
        int w = Math.toIntExact(vs.get(4));
        if (!flow.getShape().equals(new Shape(n, 2, h, w)) || !scale.getShape().equals(new Shape(n, 1, h, w))) {
            throw new IllegalArgumentException("warp of a volume " + vs + " needs a flow [" + n + ", 2, " + h + ", " + w
                    + "] and a scale field [" + n + ", 1, " + h + ", " + w + "], got " + flow.getShape() + " and " + scale.getShape());
        }
        NDManager m = flow.getManager();
        DataType type = flow.getDataType();
        NDArray gx = m.create(identityGrid(w), new Shape(1, 1, w)).toType(type, false).add(flow.get(":, 0, :, :"));
        NDArray gy = m.create(identityGrid(h), new Shape(1, h, 1)).toType(type, false).add(flow.get(":, 1, :, :"));
        NDArray gz = scale.get(":, 0, :, :");
        NDArray ix = sourceIndex(gx, w);
        NDArray iy = sourceIndex(gy, h);
        NDArray iz = sourceIndex(gz, d);
        NDArray ix0 = ix.floor();
        NDArray iy0 = iy.floor();
        NDArray iz0 = iz.floor();
        // PyTorch's weights: (corner + 1 - i) for the lower corner, (i - corner) for the upper one.
        NDArray[] wx = {ix0.add(1f).sub(ix), ix.sub(ix0)};
        NDArray[] wy = {iy0.add(1f).sub(iy), iy.sub(iy0)};
        NDArray[] wz = {iz0.add(1f).sub(iz), iz.sub(iz0)};
        NDArray[] cx = corners(ix0, w, 1);
        NDArray[] cy = corners(iy0, h, w);
        NDArray[] cz = corners(iz0, d, (long) h * w);
        NDArray flat = volume.reshape(n, c, (long) d * h * w);
        Shape gathered = new Shape(n, c, (long) h * w);
        NDArray out = null;
        // Order of grid_sampler_3d: t/b (depth), then n/s (height), then w/e (width).
        for (int z = 0; z < 2; z++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 2; x++) {
                    NDArray weight = wx[x].mul(wy[y]).mul(wz[z]).reshape(n, 1, (long) h * w);
                    NDArray index = cz[z].add(cy[y]).add(cx[x]).reshape(n, 1, (long) h * w).broadcast(gathered);
                    NDArray term = flat.gather(index, 2).mul(weight);
                    out = out == null ? term : out.add(term);
                }
            }
        }
        return out.reshape(n, c, h, w);
    }

    /**
     * {@code affine_grid}'s identity coordinates along an axis of {@code size} samples with
     * {@code align_corners=False}: {@code linspace(-1, 1, size)·(size - 1)/size}, computed as
     * PyTorch's linspace does (from the start for the first half, from the end for the second).
     */
    static float[] identityGrid(int size) {
        float[] g = new float[size];
        if (size == 1) {
            return g;
        }
        float step = 2f / (size - 1);
        int half = size / 2;
        for (int i = 0; i < size; i++) {
            float v = i < half ? -1f + step * i : 1f - step * (size - 1 - i);
            g[i] = v * (size - 1) / size;
        }
        return g;
    }

    /**
     * Unnormalizes ({@code align_corners=False}) and clamps to [0, size - 1] ({@code
     * padding_mode="border"}). The factors are {@link Scalars}: backward reads them after their
     * handles are closed.
     */
    private static NDArray sourceIndex(NDArray g, int size) {
        return Scalars.div(Scalars.mul(g.add(1f), size).sub(1f), 2f).clip(0f, (float) (size - 1));
    }

    /**
     * The flat offsets of the lower and upper corner along one axis: {@code corner·stride} and
     * {@code min(corner + 1, size - 1)·stride}. The upper corner only leaves the volume when the
     * coordinate sits exactly on the last sample, where its weight is 0.
     */
    private static NDArray[] corners(NDArray lower, int size, long stride) {
        NDArray lo = lower.toType(DataType.INT64, false);
        NDArray hi = lo.add(1).minimum(size - 1);
        return new NDArray[] {lo.mul(stride), hi.mul(stride)};
    }
}
