package dev.tinify.runtime.pointcloud;

import dev.tinify.runtime.ops.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.layers.Activation;
import dev.tinify.runtime.layers.BatchNorm;
import dev.tinify.runtime.layers.Conv2d;
import dev.tinify.runtime.layers.LayerModule;
import dev.tinify.runtime.layers.Sequential;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * PointNet++ set abstraction, single scale ({@code PointNetSetAbstraction} of CompressAI's
 * PointNet++ models), on a point cloud written as channels: coordinates then features,
 * [B, 3 + D, N].
 *
 * <pre>
 *  xyz ─► FPS: npoint centroids ─► ball query (radius, nsample) around each
 *  grouped = [neighbour xyz − centroid, neighbour features]  [B, 3 + D, npoint, nsample]
 *  grouped ─► (1×1 conv ─► batch norm ─► ReLU) per MLP layer ─► max over nsample ─► C' features
 *  output = [centroid xyz, features]  [B, 3 + C', npoint]
 * </pre>
 *
 * With {@code groupAll}, the one centroid is the origin and every point is its neighbour,
 * uncentred: grouped is [B, 3 + D, 1, N]. Keys {@code mlp_convs.<i>.weight|bias} and
 * {@code mlp_bns.<i>.*}, as CompressAI. Gradients reach the features, not the coordinates (which
 * the sampling only selects).
 */
public final class SetAbstraction extends LayerModule {
    private final int npoint;
    private final double radius;
    private final int nsample;
    private final boolean groupAll;
    private final int inChannels;
    private final int outChannels;
    private final Sequential convs;
    private final Sequential norms;

    /**
     * @param inChannels 3 + D, the channels of the input cloud
     * @param mlp the output channels of each 1x1 convolution
     */
    public SetAbstraction(NDManager manager, int npoint, double radius, int nsample, int inChannels, int[] mlp, boolean groupAll) {
        if (inChannels < 3 || mlp.length == 0 || (!groupAll && (npoint <= 0 || nsample <= 0 || !(radius > 0)))) {
            throw new IllegalArgumentException("SetAbstraction needs at least 3 input channels, an MLP, and unless it groups all points "
                    + "a positive npoint, radius and nsample; got in " + inChannels + ", mlp " + Arrays.toString(mlp) + ", npoint " + npoint
                    + ", radius " + radius + ", nsample " + nsample);
        }
        this.npoint = npoint;
        this.radius = radius;
        this.nsample = nsample;
        this.groupAll = groupAll;
        this.inChannels = inChannels;
        List<LayerModule> c = new ArrayList<>();
        List<LayerModule> n = new ArrayList<>();
        int last = inChannels;
        for (int out : mlp) {
            c.add(new Conv2d(manager, last, out, 1, 1, 0, true));
            n.add(new BatchNorm(manager, out));
            last = out;
        }
        this.outChannels = 3 + last;
        this.convs = child("mlp_convs", new Sequential(c));
        this.norms = child("mlp_bns", new Sequential(n));
    }

    @Override
    public NDArray forward(NDArray x) {
        Shape shape = x.getShape();
        if (shape.dimension() != 3 || shape.get(1) != inChannels) {
            throw new IllegalArgumentException(describe() + " expects a point cloud [B, " + inChannels + ", N], got " + shape);
        }
        int b = Math.toIntExact(shape.get(0));
        int n = Math.toIntExact(shape.get(2));
        if (!groupAll && n < npoint) {
            throw new IllegalArgumentException(describe() + " samples " + npoint + " centroids from " + n + " points");
        }
        int s = groupAll ? 1 : npoint;
        int k = groupAll ? n : nsample;
        float[] coords;
        try (NDArray c = x.get(new NDIndex(":, 0:3, :"))) {
            coords = c.toFloatArray();
        }
        NDManager m = x.getManager();
        float[] groupedXyz = new float[b * 3 * s * k];
        float[] centroids = new float[b * 3 * s];
        long[] index = new long[b * s * k];
        for (int bi = 0; bi < b; bi++) {
            float[] cloud = Neighbourhoods.pointMajor(coords, bi, n);
            int[] idx;
            float[] centre;
            if (groupAll) {
                centre = new float[3];
                idx = new int[n];
                Arrays.setAll(idx, i -> i);
            } else {
                int[] fps = Neighbourhoods.farthestPointSample(cloud, n, s);
                centre = new float[3 * s];
                for (int i = 0; i < s; i++) {
                    System.arraycopy(cloud, 3 * fps[i], centre, 3 * i, 3);
                }
                idx = Neighbourhoods.ballQuery(cloud, n, centre, s, radius, k).index();
            }
            for (int si = 0; si < s; si++) {
                for (int a = 0; a < 3; a++) {
                    centroids[(bi * 3 + a) * s + si] = centre[3 * si + a];
                }
                for (int ki = 0; ki < k; ki++) {
                    int at = si * k + ki;
                    int p = idx[at];
                    index[bi * s * k + at] = p;
                    for (int a = 0; a < 3; a++) {
                        // group_all keeps the coordinates as they are; otherwise they are centred (float32 subtraction).
                        groupedXyz[(bi * 3 + a) * s * k + at] = groupAll ? cloud[3 * p + a] : cloud[3 * p + a] - centre[3 * si + a];
                    }
                }
            }
        }
        NDArray grouped = Scalars.copyOf(m, groupedXyz, new Shape(b, 3, s, k));
        if (inChannels > 3) {
            NDList parts = new NDList(grouped);
            try (NDArray features = x.get(new NDIndex(":, 3:, :"))) {
                for (int bi = 0; bi < b; bi++) {
                    try (NDArray item = features.get(bi);
                            NDArray at = Scalars.copyOf(m, Arrays.copyOfRange(index, bi * s * k, (bi + 1) * s * k))) {
                        parts.add(item.get(new NDIndex(":, {}", at)).reshape(1, inChannels - 3, s, k));
                    }
                }
            }
            NDArray featuresGrouped = NDArrays.concat(new NDList(parts.subList(1, parts.size())), 0);
            NDArray all = grouped.concat(featuresGrouped, 1);
            parts.close();
            featuresGrouped.close();
            grouped = all;
        }
        NDArray h = grouped;
        for (int i = 0; i < convs.size(); i++) {
            NDArray next = Activation.relu().forward(norms.get(i).forward(convs.get(i).forward(h)));
            h.close();
            h = next;
        }
        try (NDArray pooled = h.max(new int[] {3}); NDArray centres = m.create(centroids, new Shape(b, 3, s))) {
            h.close();
            return centres.concat(pooled, 1);
        }
    }

    @Override
    public int inChannels() {
        return inChannels;
    }

    @Override
    public int outChannels(int in) {
        return outChannels;
    }

    @Override
    public String describe() {
        return "SetAbstraction(" + (groupAll ? "all" : npoint + ", r" + radius + ", " + nsample) + ", " + inChannels + "→" + outChannels + ")";
    }
}
