package dev.tinify.runtime.pointcloud;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.entropy.Fixtures;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.reference.ReferenceCase;
import org.junit.jupiter.api.Test;

/**
 * The three set abstractions of CompressAI's {@code sfu2024-pcc-rec-pointnet2-ssg} fixture
 * (D=(0,16,24,32), P=(256,64,16,1), S=(-,4,4,16), R=(-,0.3,0.6,-)) on clouds written as channels
 * [B, 3 + D, N]: the centroids are the input points the fixture's FPS picked, the features
 * ({@code debug_outputs.u_i}) and the last level's grouped input ({@code uu_2}) within 1e-4.
 */
class SetAbstractionTest {
    private static final double TOL = 1e-4;

    private static final class Down extends Module {
        final SetAbstraction one;
        final SetAbstraction two;
        final SetAbstraction three;

        Down(NDManager m) {
            one = child("_1", new SetAbstraction(m, 64, 0.3, 4, 3, new int[] {8, 8, 16}, false));
            two = child("_2", new SetAbstraction(m, 16, 0.6, 4, 19, new int[] {16, 16, 24}, false));
            three = child("_3", new SetAbstraction(m, 0, 0, 0, 27, new int[] {24, 32, 32}, true));
        }
    }

    @Test
    void levelsMatchTheFixture() throws Exception {
        ReferenceCase c = ReferenceCase.fixture("sfu2024-pcc-rec-pointnet2-ssg");
        try (NDManager m = NDManager.newBaseManager()) {
            Down down = new Down(m);
            StateDicts.load(down, StateDicts.withPrefix(c.stateDict(), "down."), "pointnet2 fixture, down.*");
            down.train(false);
            float[] x = c.tensor("x").toFloats();
            NDArray cloud = m.create(x, new Shape(1, 256, 3)).transpose(0, 2, 1);
            NDArray l1 = down.one.forward(cloud);
            assertEquals(new Shape(1, 19, 64), l1.getShape());
            assertArrayEquals(picked(x, c.tensor("forward.fps.0.idx").toInts()), centroids(l1), "level 1 centroids");
            Fixtures.assertClose(c.tensor("forward.debug_outputs.u_1"), l1.get(new NDIndex(":, 3:, :")), TOL, "u_1");
            NDArray l2 = down.two.forward(l1);
            assertArrayEquals(picked(centroids(l1), c.tensor("forward.fps.1.idx").toInts()), centroids(l2), "level 2 centroids");
            Fixtures.assertClose(c.tensor("forward.debug_outputs.u_2"), l2.get(new NDIndex(":, 3:, :")), TOL, "u_2");
            Fixtures.assertClose(c.tensor("forward.debug_outputs.uu_2"), l2.reshape(1, 27, 1, 16), TOL, "uu_2");
            NDArray l3 = down.three.forward(l2);
            assertArrayEquals(new float[3], centroids(l3), "group_all centroid");
            Fixtures.assertClose(c.tensor("forward.debug_outputs.u_3"), l3.get(new NDIndex(":, 3:, :")), TOL, "u_3");
        }
    }

    /** The points {@code idx} of a point-major cloud, point-major. */
    private static float[] picked(float[] cloud, int[] idx) {
        float[] out = new float[3 * idx.length];
        for (int i = 0; i < idx.length; i++) {
            System.arraycopy(cloud, 3 * idx[i], out, 3 * i, 3);
        }
        return out;
    }

    /** The coordinates of a [1, 3 + C, n] cloud, point-major. */
    private static float[] centroids(NDArray cloud) {
        return cloud.get(new NDIndex(":, 0:3, :")).transpose(0, 2, 1).toFloatArray();
    }
}
