package dev.tinify.runtime.pointcloud;

import dev.tinify.runtime.ops.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.layers.Activation;
import dev.tinify.runtime.layers.Conv1d;
import dev.tinify.runtime.layers.Conv2d;
import dev.tinify.runtime.layers.GroupNorm;
import dev.tinify.runtime.layers.LayerModule;
import dev.tinify.runtime.layers.Sequential;
import dev.tinify.runtime.nn.Module;

/**
 * Density-aware down-sampling of a point cloud (He et al., "Density-preserving Deep Point Cloud
 * Compression", CVPR 2022; CompressAI's {@code DownsampleLayer}), on a cloud written as channels:
 * coordinates then features, [B, 3 + dim, N] to [B, 3 + dim, M] with M = round(N · rate)
 * (half to even, as Python's round).
 *
 * <pre>
 *  xyz ─► FPS: M centroids; each point's nearest centroid (kNN, k = 1); each centroid's k nearest
 *         points (kNN), of which those whose nearest centroid it is form its group (the mask)
 *  count = group size     features ─► pre_conv
 *  embed_features:  point transformer over the k neighbours (masked softmax), + centroid features
 *  embed_positions: MLP of (direction, distance) of each neighbour, masked softmax attention, sum
 *  embed_densities: MLP of the count
 *  post_conv(cat of the three) + the centroid's input features = new features
 * </pre>
 *
 * Keys as CompressAI's ({@code pre_conv}, {@code embed_features.w_qs}, {@code
 * embed_features.conv_delta.0}, {@code embed_positions.attention.3}, {@code
 * embed_densities.embed_densities.0}, {@code post_conv}, ...). Masked neighbours get
 * −Float.MAX_VALUE before the softmax, as CompressAI fills them. Gradients reach the features;
 * the coordinates are only selected.
 */
public final class DensityDownsample extends LayerModule {
    private final double rate;
    private final int dim;
    private final int hidden;
    private final int k;
    private final Conv1d preConv;
    private final PointTransformer features;
    private final PositionEmbedding positions;
    private final Sequential densities;
    private final Conv1d postConv;

    /**
     * @param rate the fraction of the points kept as centroids
     * @param dim the feature channels in and out
     * @param hidden the hidden channels of the embeddings
     * @param k the neighbours each centroid looks at
     * @param groups the group-norm groups of the embeddings
     */
    public DensityDownsample(NDManager manager, double rate, int dim, int hidden, int k, int groups) {
        if (!(rate > 0 && rate <= 1) || dim <= 0 || hidden <= 0 || k <= 0 || groups <= 0 || hidden % groups != 0) {
            throw new IllegalArgumentException("DensityDownsample needs a rate in (0, 1], positive dim, hidden_dim and k, and ngroups "
                    + "dividing hidden_dim; got rate " + rate + ", dim " + dim + ", hidden_dim " + hidden + ", k " + k + ", ngroups " + groups);
        }
        this.rate = rate;
        this.dim = dim;
        this.hidden = hidden;
        this.k = k;
        this.preConv = child("pre_conv", new Conv1d(manager, dim, dim, 1, 1));
        this.features = child("embed_features", new PointTransformer(manager, dim, hidden, groups));
        this.positions = child("embed_positions", new PositionEmbedding(manager, dim, hidden, groups));
        Holder densityHolder = child("embed_densities", new Holder());
        this.densities = densityHolder.childOf("embed_densities",
                new Sequential(new Conv1d(manager, 1, hidden, 1, 1), new GroupNorm(manager, groups, hidden), Activation.relu(),
                        new Conv1d(manager, hidden, dim, 1, 1)));
        this.postConv = child("post_conv", new Conv1d(manager, 3 * dim, dim, 1, 1));
    }

    /** The number of centroids kept of {@code n} points: round(n · rate), half to even. */
    public int centroids(int n) {
        return (int) Math.rint(n * rate);
    }

    @Override
    public NDArray forward(NDArray x) {
        Shape shape = x.getShape();
        if (shape.dimension() != 3 || shape.get(1) != 3 + dim) {
            throw inputError("expects a point cloud [B, " + (3 + dim) + ", N], got " + shape, "coordinates then " + dim + " feature channels");
        }
        int b = Math.toIntExact(shape.get(0));
        int n = Math.toIntExact(shape.get(2));
        int m = centroids(n);
        if (m < 1) {
            throw inputError("keeps " + m + " of " + n + " points", "enough points for at least one centroid");
        }
        int kk = Math.min(k, n);
        Groups g = Groups.of(x, b, n, m, kk);
        DensityTrace trace = DensityTrace.current();
        if (trace != null) {
            trace.encoderLevel(g.coords, g.centroidXyz, g.counts, g.meanDistances, b, n, m);
        }
        NDManager outer = x.getManager();
        try (NDManager scope = outer.newSubManager()) {
            NDArray cloud = x.duplicate();
            cloud.attach(scope);
            NDArray feats = cloud.get(new NDIndex(":, 3:, :"));
            NDArray identity = gather(feats, g.centroids, m, 1);
            NDArray f = preConv.forward(feats);
            NDArray sampled = gather(f, g.centroids, m, 1);
            NDArray mask = Scalars.copyOf(scope, g.mask, new Shape(b, 1, m, kk));
            NDArray fill = Scalars.copyOf(scope, g.fill, new Shape(b, 1, m, kk));
            NDArray embedded = features.forward(sampled, f, Scalars.copyOf(scope, g.towardsCentroid, new Shape(b, 3, m, kk)), g.neighbours, m, kk,
                    mask, fill);
            NDArray placed = positions.forward(Scalars.copyOf(scope, g.pattern, new Shape(b, 4, m, kk)), mask, fill);
            NDArray dens = densities.forward(Scalars.copyOf(scope, g.counts, new Shape(b, 1, m)));
            NDArray agg = postConv.forward(NDArrays.concat(new NDList(embedded, placed, dens), 1)).add(identity);
            NDArray out = scope.create(g.centroidXyz, new Shape(b, 3, m)).concat(agg, 1);
            out.attach(outer);
            return out;
        }
    }

    /**
     * {@code a} [B, C, N] at the given points of each batch item ({@code per} indices per item,
     * [B · L · per] in all): [B, C, L, per], or [B, C, L] when {@code per} is 1.
     */
    static NDArray gather(NDArray a, int[] index, int length, int per) {
        long b = a.getShape().get(0);
        long c = a.getShape().get(1);
        int each = length * per;
        NDList items = new NDList();
        for (int bi = 0; bi < b; bi++) {
            long[] at = new long[each];
            for (int i = 0; i < each; i++) {
                at[i] = index[bi * each + i];
            }
            try (NDArray item = a.get(bi); NDArray where = Scalars.copyOf(a.getManager(), at)) {
                items.add(item.get(new NDIndex(":, {}", where)).expandDims(0));
            }
        }
        NDArray joined = items.size() == 1 ? items.get(0) : NDArrays.concat(items, 0);
        if (items.size() > 1) {
            items.close();
        }
        return per == 1 ? joined.reshape(b, c, length) : joined.reshape(b, c, length, per);
    }

    /** Masked softmax over the neighbours (last axis): masked entries are −Float.MAX_VALUE first. */
    static NDArray maskedSoftmax(NDArray logits, NDArray mask, NDArray fill) {
        return logits.mul(mask).add(fill).softmax(3);
    }

    @Override
    public int inChannels() {
        return 3 + dim;
    }

    @Override
    public int outChannels(int in) {
        return 3 + dim;
    }

    @Override
    public String describe() {
        return "DensityDownsample(rate " + rate + ", " + (3 + dim) + ", hidden " + hidden + ", k " + k + ")";
    }

    /** A module that only names its children (CompressAI's nested module names). */
    static class Holder extends Module {
        <M extends Module> M childOf(String name, M module) {
            return child(name, module);
        }
    }

    /**
     * The sampling and grouping of one forward, computed on the coordinates in float32 as the
     * reference does: centroids by FPS, each point's nearest centroid, each centroid's k nearest
     * points, the mask of those that belong to its group, the group sizes, and the neighbour
     * geometry the embeddings read; also the coordinates and each group's mean distance from its
     * centroid (for the training loss, {@link DensityTrace}).
     */
    private record Groups(float[] coords, float[] meanDistances, int[] centroids, int[] neighbours, float[] centroidXyz,
            float[] towardsCentroid, float[] pattern, float[] mask, float[] fill, float[] counts) {
        static Groups of(NDArray x, int b, int n, int m, int kk) {
            float[] coords;
            try (NDArray c = x.get(new NDIndex(":, 0:3, :"))) {
                coords = c.toFloatArray();
            }
            int[] centroids = new int[b * m];
            int[] neighbours = new int[b * m * kk];
            float[] centroidXyz = new float[b * 3 * m];
            float[] towards = new float[b * 3 * m * kk];
            float[] pattern = new float[b * 4 * m * kk];
            float[] mask = new float[b * m * kk];
            float[] fill = new float[b * m * kk];
            float[] counts = new float[b * m];
            float[] meanDistances = new float[b * m];
            int mk = m * kk;
            for (int bi = 0; bi < b; bi++) {
                float[] cloud = Neighbourhoods.pointMajor(coords, bi, n);
                int[] fps = Neighbourhoods.farthestPointSample(cloud, n, m);
                float[] centres = new float[3 * m];
                for (int i = 0; i < m; i++) {
                    System.arraycopy(cloud, 3 * fps[i], centres, 3 * i, 3);
                    centroids[bi * m + i] = fps[i];
                    for (int a = 0; a < 3; a++) {
                        centroidXyz[(bi * 3 + a) * m + i] = centres[3 * i + a];
                    }
                }
                int[] nearest = Neighbourhoods.knn(centres, m, cloud, n, 1);
                int[] knn = Neighbourhoods.knn(cloud, n, centres, m, kk);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < kk; j++) {
                        int at = i * kk + j;
                        int p = knn[at];
                        neighbours[bi * mk + at] = p;
                        boolean inGroup = nearest[p] == i;
                        mask[bi * mk + at] = inGroup ? 1f : 0f;
                        fill[bi * mk + at] = inGroup ? 0f : -Float.MAX_VALUE;
                        counts[bi * m + i] += inGroup ? 1 : 0;
                        float dx = cloud[3 * p] - centres[3 * i];
                        float dy = cloud[3 * p + 1] - centres[3 * i + 1];
                        float dz = cloud[3 * p + 2] - centres[3 * i + 2];
                        float norm = (float) Math.sqrt(dx * dx + dy * dy + dz * dz);
                        // F.normalize divides by max(norm, 1e-12): the centroid's own offset stays 0.
                        float div = Math.max(norm, 1e-12f);
                        float[] d = {dx, dy, dz};
                        for (int a = 0; a < 3; a++) {
                            towards[((bi * 3 + a) * m + i) * kk + j] = centres[3 * i + a] - cloud[3 * p + a];
                            pattern[((bi * 4 + a) * m + i) * kk + j] = d[a] / div;
                        }
                        pattern[((bi * 4 + 3) * m + i) * kk + j] = norm;
                        meanDistances[bi * m + i] += inGroup ? norm : 0;
                    }
                }
            }
            for (int i = 0; i < b * m; i++) {
                // A centroid is in its own group; an empty one (coinciding centroids) has no distance to average.
                meanDistances[i] = counts[i] > 0 ? meanDistances[i] / counts[i] : 0;
            }
            return new Groups(coords, meanDistances, centroids, neighbours, centroidXyz, towards, pattern, mask, fill, counts);
        }
    }

    /**
     * The point transformer (Zhao et al. 2021) over each centroid's neighbours: query from the
     * centroid, keys and values from the neighbours, a learned position encoding of
     * centroid − neighbour, attention logits from an MLP of query − key + encoding, scaled by
     * 1/sqrt(hidden), masked softmax, the weighted sum of value + encoding, post_conv, plus the
     * centroid's features.
     */
    static final class PointTransformer extends Module {
        private final int hidden;
        private final Conv1d query;
        private final Conv1d key;
        private final Conv1d value;
        private final Sequential delta;
        private final Sequential gamma;
        private final Conv1d post;

        PointTransformer(NDManager manager, int dim, int hidden, int groups) {
            this.hidden = hidden;
            this.query = child("w_qs", new Conv1d(manager, dim, hidden, 1, 1));
            this.key = child("w_ks", new Conv1d(manager, dim, hidden, 1, 1));
            this.value = child("w_vs", new Conv1d(manager, dim, hidden, 1, 1));
            this.delta = child("conv_delta", mlp2d(manager, 3, hidden, hidden, groups));
            this.gamma = child("conv_gamma", mlp2d(manager, hidden, hidden, hidden, groups));
            this.post = child("post_conv", new Conv1d(manager, hidden, dim, 1, 1));
        }

        NDArray forward(NDArray centroidFeats, NDArray feats, NDArray towardsCentroid, int[] neighbours, int m, int kk, NDArray mask,
                NDArray fill) {
            NDArray q = query.forward(centroidFeats).expandDims(3);
            NDArray keys = gather(key.forward(feats), neighbours, m, kk);
            NDArray values = gather(value.forward(feats), neighbours, m, kk);
            NDArray encoding = delta.forward(towardsCentroid);
            NDArray logits = gamma.forward(q.sub(keys).add(encoding)).div(Scalars.constant(q.getManager(), (float) Math.sqrt(hidden)));
            NDArray attention = maskedSoftmax(logits, mask, fill);
            NDArray summed = attention.mul(values.add(encoding)).sum(new int[] {3});
            return post.forward(summed).add(centroidFeats);
        }
    }

    /**
     * Position embedding of He et al.: each neighbour's (direction, distance) from its centroid
     * through an MLP, weighted by a masked softmax of a second MLP over the neighbours, summed.
     */
    static final class PositionEmbedding extends Module {
        private final Sequential embed;
        private final Sequential attention;

        PositionEmbedding(NDManager manager, int dim, int hidden, int groups) {
            this.embed = child("embed_positions", mlp2d(manager, 4, hidden, dim, groups));
            this.attention = child("attention", mlp2d(manager, dim, hidden, dim, groups));
        }

        NDArray forward(NDArray pattern, NDArray mask, NDArray fill) {
            NDArray e = embed.forward(pattern);
            NDArray weights = maskedSoftmax(attention.forward(e), mask, fill);
            return e.mul(weights).sum(new int[] {3});
        }
    }

    /** 1x1 convolution, group norm, ReLU, 1x1 convolution over [B, C, M, K] (keys 0, 1, 3). */
    static Sequential mlp2d(NDManager manager, int in, int hidden, int out, int groups) {
        return new Sequential(new Conv2d(manager, in, hidden, 1, 1), new GroupNorm(manager, groups, hidden), Activation.relu(),
                new Conv2d(manager, hidden, out, 1, 1));
    }
}
