package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/** CompressAI's analysis and synthesis transforms assembled from the layers, as the tests need them. */
public final class ReferenceArchitectures {
    private ReferenceArchitectures() {}

    /** bmshj2018-hyperprior (and -factorized, mbt2018) g_a. */
    public static Sequential hyperpriorGa(NDManager m, int n, int mm) {
        return new Sequential(
                new Conv2d(m, 3, n, 5, 2), new Gdn(m, n, false),
                new Conv2d(m, n, n, 5, 2), new Gdn(m, n, false),
                new Conv2d(m, n, n, 5, 2), new Gdn(m, n, false),
                new Conv2d(m, n, mm, 5, 2));
    }

    /** bmshj2018-hyperprior g_s. */
    public static Sequential hyperpriorGs(NDManager m, int n, int mm) {
        return new Sequential(
                new ConvTranspose2d(m, mm, n, 5, 2), new Gdn(m, n, true),
                new ConvTranspose2d(m, n, n, 5, 2), new Gdn(m, n, true),
                new ConvTranspose2d(m, n, n, 5, 2), new Gdn(m, n, true),
                new ConvTranspose2d(m, n, 3, 5, 2));
    }

    /** cheng2020-attn g_a. */
    public static Sequential chengGa(NDManager m, int n) {
        return new Sequential(
                new ResidualBlockWithStride(m, 3, n, 2), new ResidualBlock(m, n, n),
                new ResidualBlockWithStride(m, n, n, 2), new AttentionBlock(m, n),
                new ResidualBlock(m, n, n), new ResidualBlockWithStride(m, n, n, 2),
                new ResidualBlock(m, n, n), Conv2d.conv3x3(m, n, n, 2), new AttentionBlock(m, n));
    }

    /** cheng2020-attn g_s. */
    public static Sequential chengGs(NDManager m, int n) {
        return new Sequential(
                new AttentionBlock(m, n), new ResidualBlock(m, n, n), new ResidualBlockUpsample(m, n, n, 2),
                new ResidualBlock(m, n, n), new ResidualBlockUpsample(m, n, n, 2), new AttentionBlock(m, n),
                new ResidualBlock(m, n, n), new ResidualBlockUpsample(m, n, n, 2), new ResidualBlock(m, n, n),
                new SubpelConv3x3(m, n, 3, 2));
    }

    private static void bottlenecks(List<LayerModule> l, NDManager m, int n) {
        for (int i = 0; i < 3; i++) {
            l.add(new ResidualBottleneckBlock(m, n, n));
        }
    }

    /** elic2022 g_a. */
    public static Sequential elicGa(NDManager m, int n, int mm) {
        List<LayerModule> l = new ArrayList<>();
        l.add(new Conv2d(m, 3, n, 5, 2));
        bottlenecks(l, m, n);
        l.add(new Conv2d(m, n, n, 5, 2));
        bottlenecks(l, m, n);
        l.add(new AttentionBlock(m, n));
        l.add(new Conv2d(m, n, n, 5, 2));
        bottlenecks(l, m, n);
        l.add(new Conv2d(m, n, mm, 5, 2));
        l.add(new AttentionBlock(m, mm));
        return new Sequential(l);
    }

    /** elic2022 g_s. */
    public static Sequential elicGs(NDManager m, int n, int mm) {
        List<LayerModule> l = new ArrayList<>();
        l.add(new AttentionBlock(m, mm));
        l.add(new ConvTranspose2d(m, mm, n, 5, 2));
        bottlenecks(l, m, n);
        l.add(new ConvTranspose2d(m, n, n, 5, 2));
        l.add(new AttentionBlock(m, n));
        bottlenecks(l, m, n);
        l.add(new ConvTranspose2d(m, n, n, 5, 2));
        bottlenecks(l, m, n);
        l.add(new ConvTranspose2d(m, n, 3, 5, 2));
        return new Sequential(l);
    }
}
