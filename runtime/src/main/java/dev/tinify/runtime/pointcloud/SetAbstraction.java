package dev.tinify.runtime.pointcloud;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.layers.Activation;
import dev.tinify.runtime.layers.BatchNorm;
import dev.tinify.runtime.layers.Conv2d;
import dev.tinify.runtime.layers.LayerModule;
import dev.tinify.runtime.layers.Sequential;
import dev.tinify.runtime.nn.Module;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * PointNet++ set abstraction, single scale ({@code PointNetSetAbstraction} of CompressAI's
 * PointNet++ models):
 *
 * <pre>
 *  xyz [B, N, 3] ─► FPS: npoint centroids ─► ball query (radius, nsample) around each
 *  grouped = [neighbour xyz − centroid, neighbour features]  [B, 3 + D, npoint, nsample]
 *  grouped ─► (1×1 conv ─► batch norm ─► ReLU) per MLP layer ─► max over nsample ─► [B, C', npoint]
 * </pre>
 *
 * With {@code groupAll}, the one centroid is the origin and every point is its neighbour,
 * uncentred: grouped is [B, 3 + D, 1, N]. Keys {@code mlp_convs.<i>.weight|bias} and
 * {@code mlp_bns.<i>.*}, as CompressAI.
 */
public final class SetAbstraction extends Module {
    private final int npoint;
    private final double radius;
    private final int nsample;
    private final boolean groupAll;
    private final Sequential convs;
    private final Sequential norms;

    /** Output: the centroids [B, npoint, 3], their features [B, C', npoint] and the grouped input [B, 3 + D, npoint, nsample]. */
    public record Output(float[][] newXyz, NDArray newFeatures, NDArray grouped) {}

    public SetAbstraction(NDManager manager, int npoint, double radius, int nsample, int inChannels, int[] mlp, boolean groupAll) {
        this.npoint = npoint;
        this.radius = radius;
        this.nsample = nsample;
        this.groupAll = groupAll;
        List<LayerModule> c = new ArrayList<>();
        List<LayerModule> n = new ArrayList<>();
        int last = inChannels;
        for (int out : mlp) {
            c.add(new Conv2d(manager, last, out, 1, 1, 0, true));
            n.add(new BatchNorm(manager, out));
            last = out;
        }
        this.convs = child("mlp_convs", new Sequential(c));
        this.norms = child("mlp_bns", new Sequential(n));
    }

    /**
     * Runs on the clouds {@code xyz} (one x0, y0, z0, ... array per batch item, all of the same
     * size) with optional per-point {@code features} [B, D, N]; results live in {@code manager}.
     */
    public Output forward(NDManager manager, float[][] xyz, @Nullable NDArray features) {
        int b = xyz.length;
        int n = xyz[0].length / 3;
        int d = features == null ? 0 : Math.toIntExact(features.getShape().get(1));
        float[] feats = features == null ? new float[0] : features.toFloatArray();
        int s = groupAll ? 1 : npoint;
        int k = groupAll ? n : nsample;
        int c = 3 + d;
        float[] grouped = new float[b * c * s * k];
        float[][] centroids = new float[b][];
        for (int bi = 0; bi < b; bi++) {
            float[] cloud = xyz[bi];
            int[] idx;
            float[] centre;
            if (groupAll) {
                centre = new float[3];
                idx = new int[n];
                for (int i = 0; i < n; i++) {
                    idx[i] = i;
                }
            } else {
                int[] fps = Neighbourhoods.farthestPointSample(cloud, n, s);
                centre = new float[3 * s];
                for (int i = 0; i < s; i++) {
                    System.arraycopy(cloud, 3 * fps[i], centre, 3 * i, 3);
                }
                idx = Neighbourhoods.ballQuery(cloud, n, centre, s, radius, k).index();
            }
            centroids[bi] = centre;
            int base = bi * c * s * k;
            for (int si = 0; si < s; si++) {
                for (int ki = 0; ki < k; ki++) {
                    int p = idx[si * k + ki];
                    int at = si * k + ki;
                    for (int a = 0; a < 3; a++) {
                        // group_all keeps the coordinates as they are; otherwise they are centred (float32 subtraction).
                        grouped[base + a * s * k + at] = groupAll ? cloud[3 * p + a] : cloud[3 * p + a] - centre[3 * si + a];
                    }
                    for (int f = 0; f < d; f++) {
                        grouped[base + (3 + f) * s * k + at] = feats[(bi * d + f) * n + p];
                    }
                }
            }
        }
        NDArray g = manager.create(grouped, new Shape(b, c, s, k));
        NDArray h = g;
        for (int i = 0; i < convs.size(); i++) {
            NDArray next = Activation.relu().forward(norms.get(i).forward(convs.get(i).forward(h)));
            if (h != g) {
                h.close();
            }
            h = next;
        }
        NDArray pooled = h.max(new int[] {3});
        if (h != g) {
            h.close();
        }
        return new Output(centroids, pooled, g);
    }
}
