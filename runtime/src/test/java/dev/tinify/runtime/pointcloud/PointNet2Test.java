package dev.tinify.runtime.pointcloud;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.codecs.EntropyBottleneckLatentCodec;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.codecs.Parts;
import dev.tinify.runtime.entropy.EntropyBottleneck;
import dev.tinify.runtime.entropy.Fixtures;
import dev.tinify.runtime.layers.Activation;
import dev.tinify.runtime.layers.BatchNorm;
import dev.tinify.runtime.layers.Conv1d;
import dev.tinify.runtime.layers.Gain;
import dev.tinify.runtime.layers.Interleave;
import dev.tinify.runtime.layers.Sequential;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.reference.ReferenceCase;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * CompressAI's {@code sfu2024-pcc-rec-pointnet2-ssg} composed by hand from the runtime's
 * point-cloud parts (set abstraction, Conv1d, Interleave, BatchNorm, Gain, entropy-bottleneck
 * latent codecs per level) at the fixture's sizes, against the fixture: every level's features
 * and latents, the up-sampling outputs and x_hat within 1e-4, both strings byte for byte, and
 * CompressAI's strings decoded.
 */
class PointNet2Test {
    private static final double TOL = 1e-4;

    /** The fixture's model: D=(0,16,24,32), P=(256,64,16,1), S=(-,4,4,16), E=(3,16,8,8,0), M=(0,0,16,16). */
    private static final class PointNet2 extends Module {
        final SetAbstraction[] down = new SetAbstraction[4];
        final Sequential[] ha = new Sequential[4];
        final Sequential[] hs = new Sequential[4];
        final Sequential[] up = new Sequential[4];
        final EntropyBottleneckLatentCodec[] codec = new EntropyBottleneckLatentCodec[4];

        PointNet2(NDManager m) {
            Group d = child("down", new Group());
            down[1] = d.add("_1", new SetAbstraction(m, 64, 0.3, 4, 3, new int[] {8, 8, 16}, false));
            down[2] = d.add("_2", new SetAbstraction(m, 16, 0.6, 4, 19, new int[] {16, 16, 24}, false));
            down[3] = d.add("_3", new SetAbstraction(m, 0, 0, 0, 27, new int[] {24, 32, 32}, true));
            Group h = child("h_a", new Group());
            // Index 0 of each h_a level is CompressAI's Reshape (no keys), done in code below.
            ha[2] = h.add("_2", new Sequential(new Interleave(1), new Conv1d(m, 27, 16, 1, 1), new Gain(m, 16, 10.0)));
            ha[3] = h.add("_3", new Sequential(new Interleave(1), new Conv1d(m, 32, 16, 1, 1), new Interleave(1), new Gain(m, 16, 10.0)));
            Group s = child("h_s", new Group());
            hs[2] = s.add("_2", new Sequential(new Gain(m, 16, 0.1), new Conv1d(m, 16, 27, 1, 1)));
            hs[3] = s.add("_3", new Sequential(new Gain(m, 16, 0.1), new Conv1d(m, 16, 32, 1, 1), new Interleave(1)));
            Group u = child("up", new Group());
            up[0] = u.add("_0", new Sequential(new Conv1d(m, 16, 16, 1, 1), Activation.relu(), new Conv1d(m, 16, 3, 1, 1)));
            up[1] = block(u, "_1", m, 8, 16, 64);
            up[2] = block(u, "_2", m, 35, 24, 32);
            up[3] = block(u, "_3", m, 32, 32, 128);
            Group l = child("latent_codec", new Group());
            for (int i = 2; i < 4; i++) {
                codec[i] = l.add("_" + i, new EntropyBottleneckLatentCodec(
                        new EntropyBottleneck(m, 16, 1e-4, 10.0, EntropyBottleneck.DEFAULT_FILTERS), Parts.CHILDREN));
            }
        }

        /** CompressAI's UpsampleBlock with groups (1, 4): its layers under {@code <name>.block}. */
        private static Sequential block(Group up, String name, NDManager m, int in, int mid, int out) {
            Group g = up.add(name, new Group());
            return g.add("block", new Sequential(new Conv1d(m, in, mid, 1, 1), new Interleave(1), new BatchNorm(m, mid), Activation.relu(),
                    new Conv1d(m, mid, out, 1, 4), new Interleave(4), new BatchNorm(m, out), Activation.relu()));
        }
    }

    /** A named group of modules ({@code nn.ModuleDict}). */
    private static final class Group extends Module {
        <M extends Module> M add(String name, M module) {
            return child(name, module);
        }
    }

    @Test
    void forwardCompressAndDecompressMatchTheFixture() throws Exception {
        ReferenceCase c = ReferenceCase.fixture("sfu2024-pcc-rec-pointnet2-ssg");
        try (NDManager m = NDManager.newBaseManager()) {
            PointNet2 net = new PointNet2(m);
            StateDicts.load(net, c.stateDict(), "pointnet2 fixture");
            net.train(false);
            SetAbstraction.Output l1 = net.down[1].forward(m, new float[][] {c.tensor("x").toFloats()}, null);
            SetAbstraction.Output l2 = net.down[2].forward(m, l1.newXyz(), l1.newFeatures());
            SetAbstraction.Output l3 = net.down[3].forward(m, l2.newXyz(), l2.newFeatures());
            NDArray y2 = net.ha[2].forward(l3.grouped().reshape(1, 27, 16)).expandDims(-1);
            NDArray y3 = net.ha[3].forward(l3.newFeatures().reshape(1, 32, 1)).expandDims(-1);
            Fixtures.assertClose(c.tensor("forward.latent_codec._2.entropy_bottleneck.in"), y2, TOL, "y_2");
            Fixtures.assertClose(c.tensor("forward.latent_codec._3.entropy_bottleneck.in"), y3, TOL, "y_3");
            LatentCodec.ForwardOut f2 = net.codec[2].forward(y2, null);
            LatentCodec.ForwardOut f3 = net.codec[3].forward(y3, null);
            Fixtures.assertClose(c.tensor("forward.likelihoods.y_2"), f2.likelihoods().get("y"), TOL, "likelihoods y_2");
            Fixtures.assertClose(c.tensor("forward.likelihoods.y_3"), f3.likelihoods().get("y"), TOL, "likelihoods y_3");
            Fixtures.assertClose(c.tensor("forward.x_hat"), decode(net, f2.yHat(), f3.yHat(), c), TOL, "x_hat");

            List<List<byte[]>> expected = c.compressStrings();
            LatentCodec.CompressOut s2 = net.codec[2].compress(y2, null);
            LatentCodec.CompressOut s3 = net.codec[3].compress(y3, null);
            assertArrayEquals(expected.get(2).get(0), s2.strings().get(0).get(0), "string y_2");
            assertArrayEquals(expected.get(3).get(0), s3.strings().get(0).get(0), "string y_3");
            assertEquals(List.of(16, 1), s2.shape());
            assertEquals(List.of(1, 1), s3.shape());

            NDArray d2 = net.codec[2].decompress(m, List.of(expected.get(2)), List.of(16, 1), null);
            NDArray d3 = net.codec[3].decompress(m, List.of(expected.get(3)), List.of(1, 1), null);
            Fixtures.assertClose(c.tensor("decompress.x_hat"), decode(net, d2, d3, c), TOL, "decompress.x_hat");
        }
    }

    /** The decoder: h_s per coded level, then up._3 .. up._0 with each block's output reordered to point-major candidates. */
    private static NDArray decode(PointNet2 net, NDArray yHat2, NDArray yHat3, ReferenceCase c) {
        NDArray uu2 = net.hs[2].forward(yHat2.squeeze(-1));
        NDArray uu3 = net.hs[3].forward(yHat3.squeeze(-1));
        NDArray v3 = candidates(net.up[3].forward(uu3), 8, 16, 1);
        Fixtures.assertClose(c.tensor("forward.debug_outputs.v_3"), v3, TOL, "v_3");
        NDArray v2 = candidates(net.up[2].forward(v3.concat(uu2, 1)), 8, 4, 16);
        Fixtures.assertClose(c.tensor("forward.debug_outputs.v_2"), v2, TOL, "v_2");
        NDArray v1 = candidates(net.up[1].forward(v2), 16, 4, 64);
        Fixtures.assertClose(c.tensor("forward.debug_outputs.v_1"), v1, TOL, "v_1");
        return net.up[0].forward(v1).reshape(1, 3, 256).transpose(0, 2, 1);
    }

    /** CompressAI's Reshape(E, S, P), Transpose(-2, -1), Reshape(E, P·S): candidate s of point p to column p·S + s. */
    private static NDArray candidates(NDArray x, int e, int s, int p) {
        return x.reshape(1, e, s, p).transpose(0, 1, 3, 2).reshape(1, e, (long) p * s);
    }
}
