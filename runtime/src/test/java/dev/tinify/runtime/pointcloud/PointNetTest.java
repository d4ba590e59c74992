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
import dev.tinify.runtime.layers.MaxPoolPoints;
import dev.tinify.runtime.layers.ReshapePoints;
import dev.tinify.runtime.layers.Sequential;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.reference.ReferenceCase;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The point-cloud layers (Conv1d with groups, Interleave, BatchNorm1d with running statistics,
 * max over points, Gain, the reshape to points) composed by hand as CompressAI's
 * {@code sfu2023-pcc-rec-pointnet}, against its fixture: forward within 1e-4, the string byte for
 * byte, and CompressAI's string decoded.
 */
class PointNetTest {
    private static final double TOL = 1e-4;

    /** The fixture's PointNetReconstructionPccModel: g_a [3,16,16,32,64] groups [1,2,2,1], g_s [64,64,128,768]. */
    private static final class PointNet extends Module {
        final Sequential gA;
        final Sequential gS;
        final EntropyBottleneckLatentCodec codec;

        PointNet(NDManager m) {
            gA = child("g_a", new Sequential(
                    new Conv1d(m, 3, 16, 1, 1), new BatchNorm(m, 16), Activation.relu(),
                    new Conv1d(m, 16, 16, 1, 2), new Interleave(2), new BatchNorm(m, 16), Activation.relu(),
                    new Conv1d(m, 16, 32, 1, 2), new BatchNorm(m, 32), Activation.relu(),
                    new Conv1d(m, 32, 64, 1, 1), new BatchNorm(m, 64), Activation.relu(),
                    new MaxPoolPoints(), new Gain(m, 64, 10.0)));
            gS = child("g_s", new Sequential(
                    new Gain(m, 64, 0.1), new Conv1d(m, 64, 64, 1, 1), Activation.relu(),
                    new Conv1d(m, 64, 128, 1, 1), Activation.relu(), new Conv1d(m, 128, 768, 1, 1), new ReshapePoints(3)));
            codec = child("latent_codec", new EntropyBottleneckLatentCodec(new EntropyBottleneck(m, 64, 1e-4, 10.0,
                    EntropyBottleneck.DEFAULT_FILTERS), Parts.CHILDREN));
        }
    }

    @Test
    void forwardCompressAndDecompressMatchTheFixture() throws Exception {
        ReferenceCase c = ReferenceCase.fixture("sfu2023-pcc-rec-pointnet");
        try (NDManager m = NDManager.newBaseManager()) {
            PointNet net = new PointNet(m);
            StateDicts.load(net, c.stateDict(), "pointnet fixture");
            net.train(false);
            NDArray x = Fixtures.array(m, c.tensor("x"));
            NDArray y = net.gA.forward(x.transpose(0, 2, 1));
            Fixtures.assertClose(c.tensor("forward.y"), y, TOL, "y");
            LatentCodec.ForwardOut f = net.codec.forward(y, null);
            Fixtures.assertClose(c.tensor("forward.likelihoods.y"), f.likelihoods().get("y"), TOL, "likelihoods");
            Fixtures.assertClose(c.tensor("forward.y_hat"), f.yHat(), TOL, "y_hat");
            Fixtures.assertClose(c.tensor("forward.x_hat"), net.gS.forward(f.yHat()), TOL, "x_hat");

            LatentCodec.CompressOut out = net.codec.compress(y, null);
            List<List<byte[]>> expected = c.compressStrings();
            assertEquals(1, out.strings().size());
            assertArrayEquals(expected.get(0).get(0), out.strings().get(0).get(0), "string");
            assertEquals(List.of(1), out.shape());

            NDArray yHat = net.codec.decompress(m, expected, List.of(1), null);
            Fixtures.assertClose(c.tensor("decompress.x_hat"), net.gS.forward(yHat), TOL, "decompress.x_hat");
        }
    }
}
