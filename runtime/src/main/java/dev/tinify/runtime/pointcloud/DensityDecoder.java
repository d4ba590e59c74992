package dev.tinify.runtime.pointcloud;

import dev.tinify.runtime.ops.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.layers.Activation;
import dev.tinify.runtime.layers.Conv1d;
import dev.tinify.runtime.layers.Conv2d;
import dev.tinify.runtime.layers.LayerModule;
import dev.tinify.runtime.layers.Sequential;
import dev.tinify.runtime.nn.Module;
import java.util.ArrayList;
import java.util.List;

/**
 * The density-preserving decoder of He et al. 2022 (CompressAI's hrtzxf2022 {@code Decoder}) on a
 * latent cloud written as channels, [B, 3 + dim, m] (points, then features), to [B, 3 + dim, N].
 * Each of the {@code levels} levels:
 *
 * <pre>
 *  upsample_layers.i:     per point, u candidate points (offsets: a softmax-weighted direction of
 *                         the 43-direction table, normalized, times a learned scale) and features
 *  upsample_num_layers.i: per point, how many to keep: sigmoid(MLP(features))·(u − 1) + 1
 *  keep the first round(count) candidates of each point (half to even), in point order; when
 *  more than ceil(n / rate) remain, farthest point sampling picks that many; when fewer, the kept
 *  ones repeat in order until there are enough
 *  refine_layers.i:       one more offset per point and a feature update (u = 1)
 * </pre>
 *
 * CompressAI pads a level short of points with random picks; repeating them in order is this
 * decoder's deterministic choice (a trained model keeps more candidates than it needs). Sub-point
 * convolutions read input channel c·u + s as channel c of candidate s. Keys as CompressAI's.
 */
public final class DensityDecoder extends LayerModule {
    /** Entries of the direction table: the zero vector and a once-subdivided icosahedron's 42 vertices. */
    static final int DIRECTIONS = 43;
    /**
     * Candidates are learned points, equal in exact arithmetic where two parents have equal
     * features: their distances then differ only in the last bits, which differ between
     * libraries. The resampling treats running minima within this relative distance of the
     * largest as tied (lowest index first), as the reference's exact ties are decided.
     */
    static final float TIE_TOLERANCE = 1e-6f;

    private final int levels;
    private final double rate;
    private final int dim;
    private final int k;
    private final List<Upsample> upsample = new ArrayList<>();
    private final List<Sequential> counts = new ArrayList<>();
    private final List<Upsample> refine = new ArrayList<>();
    private final int candidates;

    /**
     * @param rate the encoder's down-sampling rate: each level keeps ceil(n / rate) points
     * @param candidates u, the candidate points per point
     */
    public DensityDecoder(NDManager manager, int levels, double rate, int candidates, int dim, int hidden, int k) {
        if (levels <= 0 || !(rate > 0 && rate <= 1) || candidates <= 0 || dim <= 0 || hidden <= 0 || k <= 0 || dim % candidates != 0) {
            throw new IllegalArgumentException("DensityDecoder needs positive levels, candidates, dim, hidden_dim and k, a rate in (0, 1] "
                    + "and candidates dividing dim; got levels " + levels + ", rate " + rate + ", candidates " + candidates + ", dim " + dim
                    + ", hidden_dim " + hidden + ", k " + k);
        }
        this.levels = levels;
        this.rate = rate;
        this.candidates = candidates;
        this.dim = dim;
        this.k = k;
        float[] table = Icosphere.hypothesis(1);
        DensityDownsample.Holder up = child("upsample_layers", new DensityDownsample.Holder());
        DensityDownsample.Holder num = child("upsample_num_layers", new DensityDownsample.Holder());
        DensityDownsample.Holder ref = child("refine_layers", new DensityDownsample.Holder());
        for (int i = 0; i < levels; i++) {
            upsample.add(up.childOf(Integer.toString(i), new Upsample(manager, table, dim, hidden, candidates, "xyzs_upsample_nn",
                    "feats_upsample_nn")));
            DensityDownsample.Holder count = num.childOf(Integer.toString(i), new DensityDownsample.Holder());
            counts.add(count.childOf("upsample_num_nn", new Sequential(new Conv1d(manager, dim, hidden, 1, 1), Activation.relu(),
                    new Conv1d(manager, hidden, 1, 1, 1), Activation.sigmoid())));
            refine.add(ref.childOf(Integer.toString(i), new Upsample(manager, table, dim, hidden, 1, "xyzs_refine_nn", "feats_refine_nn")));
        }
    }

    @Override
    public NDArray forward(NDArray x) {
        Shape shape = x.getShape();
        if (shape.dimension() != 3 || shape.get(1) != 3 + dim) {
            throw inputError("expects a latent cloud [B, " + (3 + dim) + ", m], got " + shape, "points then " + dim + " feature channels");
        }
        NDManager outer = x.getManager();
        try (NDManager scope = outer.newSubManager()) {
            NDArray cloud = x.duplicate();
            cloud.attach(scope);
            NDArray xyz = cloud.get(new NDIndex(":, 0:3, :"));
            NDArray feats = cloud.get(new NDIndex(":, 3:, :"));
            List<NDArray> levelXyz = new ArrayList<>(List.of(xyz));
            List<NDArray> levelCounts = new ArrayList<>();
            List<float[]> levelPoints = new ArrayList<>();
            levelPoints.add(xyz.toFloatArray());
            for (int i = 0; i < levels; i++) {
                int n = Math.toIntExact(xyz.getShape().get(2));
                NDArray candXyz = upsample.get(i).xyz(xyz, feats);
                NDArray candFeats = upsample.get(i).feats(feats);
                NDArray count = Scalars.mul(counts.get(i).forward(feats), candidates - 1).add(1);
                int target = (int) Math.ceil(n * (1.0 / rate));
                int[] keep = select(candXyz.toFloatArray(), count.toFloatArray(), n, target);
                xyz = DensityDownsample.gather(candXyz.reshape(shape.get(0), 3, (long) n * candidates), keep, target, 1);
                feats = DensityDownsample.gather(candFeats.reshape(shape.get(0), dim, (long) n * candidates), keep, target, 1);
                NDArray refinedXyz = refine.get(i).xyz(xyz, feats).reshape(shape.get(0), 3, target);
                feats = refine.get(i).feats(feats).reshape(shape.get(0), dim, target);
                xyz = refinedXyz;
                levelXyz.add(xyz);
                levelCounts.add(count.reshape(shape.get(0), n));
                levelPoints.add(xyz.toFloatArray());
            }
            List<Nearby> nearby = meanDistanceQueries(levelPoints, Math.toIntExact(shape.get(0)));
            DensityTrace trace = DensityTrace.current();
            if (trace != null) {
                record(trace, levelXyz, levelCounts, nearby);
            }
            NDArray out = xyz.concat(feats, 1);
            out.attach(outer);
            return out;
        }
    }

    /**
     * The candidates kept of each batch item ([B · target] indices into its n·u candidates): the
     * first round(count) of each point, then FPS down to {@code target}, or repeated up to it.
     */
    private int[] select(float[] candXyz, float[] count, int n, int target) {
        int b = count.length / n;
        int nu = n * candidates;
        int[] out = new int[b * target];
        for (int bi = 0; bi < b; bi++) {
            List<Integer> kept = new ArrayList<>();
            for (int p = 0; p < n; p++) {
                long keep = (long) Math.rint(count[bi * n + p]);
                for (int s = 0; s < candidates && s < keep; s++) {
                    kept.add(p * candidates + s);
                }
            }
            if (kept.isEmpty()) {
                throw new IllegalArgumentException(describe() + ": no candidate kept (the predicted counts are not numbers)");
            }
            int[] picks;
            if (kept.size() > target) {
                float[] points = new float[3 * kept.size()];
                for (int i = 0; i < kept.size(); i++) {
                    for (int a = 0; a < 3; a++) {
                        points[3 * i + a] = candXyz[(bi * 3 + a) * nu + kept.get(i)];
                    }
                }
                picks = Neighbourhoods.farthestPointSample(points, kept.size(), target, TIE_TOLERANCE);
            } else {
                picks = new int[target];
                for (int i = 0; i < target; i++) {
                    picks[i] = i % kept.size();
                }
            }
            for (int i = 0; i < target; i++) {
                out[bi * target + i] = kept.get(picks[i]);
            }
        }
        return out;
    }

    /**
     * For each level, which output points are near each of its input points: each output point's
     * nearest input point ({@code nearest}, [B · n']) and each input point's k nearest output
     * points ({@code knn}, [B · n · kk]).
     */
    private record Nearby(int[] nearest, int[] knn, int kk) {}

    /**
     * CompressAI's decoder measures, for its training loss, the mean distance from each level's
     * points to the next level's points nearest to them: the same kNN queries (k = 1 from the next
     * level, then k from each point) are made here in every forward, so that a decode runs
     * CompressAI's neighbourhood operations in its order; a {@link DensityTrace} uses their results.
     */
    private List<Nearby> meanDistanceQueries(List<float[]> levelPoints, int b) {
        List<Nearby> out = new ArrayList<>();
        for (int i = 0; i + 1 < levelPoints.size(); i++) {
            float[] prev = levelPoints.get(i);
            float[] curr = levelPoints.get(i + 1);
            int np = prev.length / (3 * b);
            int nc = curr.length / (3 * b);
            int kk = Math.min(k, nc);
            int[] nearest = new int[b * nc];
            int[] knn = new int[b * np * kk];
            for (int bi = 0; bi < b; bi++) {
                float[] a = Neighbourhoods.pointMajor(prev, bi, np);
                float[] c = Neighbourhoods.pointMajor(curr, bi, nc);
                System.arraycopy(Neighbourhoods.knn(a, np, c, nc, 1), 0, nearest, bi * nc, nc);
                System.arraycopy(Neighbourhoods.knn(c, nc, a, np, kk), 0, knn, bi * np * kk, np * kk);
            }
            out.add(new Nearby(nearest, knn, kk));
        }
        return out;
    }

    /**
     * Records the decoder's input points and, per level, its cloud, predicted counts and predicted
     * mean distances: for each input point, the distances to those of its k nearest output points
     * whose nearest input point it is, summed, divided by its predicted count (CompressAI's
     * {@code nearby_distance_sum} over its count), with gradients to both clouds and the count.
     */
    private static void record(DensityTrace trace, List<NDArray> levelXyz, List<NDArray> levelCounts, List<Nearby> nearby) {
        List<NDArray> meanDistances = new ArrayList<>();
        for (int i = 0; i < nearby.size(); i++) {
            NDArray prev = levelXyz.get(i);
            NDArray curr = levelXyz.get(i + 1);
            Nearby near = nearby.get(i);
            int b = Math.toIntExact(prev.getShape().get(0));
            int np = Math.toIntExact(prev.getShape().get(2));
            float[] mask = new float[near.knn.length];
            for (int bi = 0; bi < b; bi++) {
                for (int a = 0; a < np; a++) {
                    for (int j = 0; j < near.kk; j++) {
                        int at = (bi * np + a) * near.kk + j;
                        mask[at] = near.nearest[bi * (near.nearest.length / b) + near.knn[at]] == a ? 1f : 0f;
                    }
                }
            }
            NDArray neighbours = DensityDownsample.gather(curr, near.knn, np, near.kk);
            NDArray distances = neighbours.sub(prev.expandDims(3)).norm(new int[] {1});
            NDArray inGroup = Scalars.copyOf(prev.getManager(), mask, new Shape(b, np, near.kk));
            meanDistances.add(distances.mul(inGroup).sum(new int[] {2}).div(levelCounts.get(i)));
        }
        trace.decoderInput(levelXyz.get(0));
        for (int i = 0; i < nearby.size(); i++) {
            trace.decoderLevel(levelXyz.get(i + 1), levelCounts.get(i), meanDistances.get(i));
        }
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
        return "DensityDecoder(" + levels + " levels, rate " + rate + ", " + candidates + " candidates, " + (3 + dim) + ")";
    }

    /**
     * CompressAI's {@code UpsampleLayer} (u candidates) or {@code RefineLayer} (u = 1): position
     * offsets from the direction table and features, each from sub-point convolutions.
     */
    static final class Upsample extends Module {
        private final float[] table;
        private final int u;
        private final SubPointConv weights;
        private final SubPointConv scales;
        private final SubPointConv features;

        Upsample(NDManager manager, float[] table, int dim, int hidden, int u, String xyzName, String featsName) {
            this.table = table;
            this.u = u;
            DensityDownsample.Holder xyz = child(xyzName, new DensityDownsample.Holder());
            this.weights = xyz.childOf("weight_nn", new SubPointConv(manager, dim, hidden, DIRECTIONS * u, u));
            this.scales = xyz.childOf("scale_nn", new SubPointConv(manager, dim, hidden, u, u));
            DensityDownsample.Holder f = child(featsName, new DensityDownsample.Holder());
            this.features = f.childOf("feats_nn", new SubPointConv(manager, dim, hidden, dim * u, u));
        }

        /** Candidate positions [B, 3, n, u]: the point plus a scaled unit direction. */
        NDArray xyz(NDArray xyz, NDArray feats) {
            NDManager m = xyz.getManager();
            NDArray w = weights.forward(feats).softmax(1).expandDims(2);
            NDArray hyp = Scalars.copyOf(m, table, new Shape(1, DIRECTIONS, 3, 1, 1));
            NDArray directions = w.mul(hyp).sum(new int[] {1});
            NDArray norm = Scalars.maximum(directions.norm(new int[] {1}, true), 1e-12f);
            NDArray deltas = directions.div(norm).mul(scales.forward(feats));
            return xyz.expandDims(3).add(deltas);
        }

        /** Candidate features [B, dim, n, u]: the point's features plus a learned change. */
        NDArray feats(NDArray feats) {
            return features.forward(feats).add(feats.expandDims(3));
        }
    }

    /**
     * Sub-point convolution: [B, c·g, n] read as g sub-points of c channels (channel c·g + s is
     * channel c of sub-point s), each through 1x1 convolution, ReLU, 1x1 convolution (keys mlp.0,
     * mlp.2): [B, out/g, n, g].
     */
    static final class SubPointConv extends Module {
        private final int groups;
        private final Sequential mlp;

        SubPointConv(NDManager manager, int in, int hidden, int out, int groups) {
            this.groups = groups;
            this.mlp = child("mlp", new Sequential(new Conv2d(manager, in / groups, hidden, 1, 1), Activation.relu(),
                    new Conv2d(manager, hidden, out / groups, 1, 1)));
        }

        NDArray forward(NDArray feats) {
            Shape s = feats.getShape();
            NDArray split = feats.reshape(s.get(0), s.get(1) / groups, groups, s.get(2)).transpose(0, 1, 3, 2);
            return mlp.forward(split);
        }
    }
}
