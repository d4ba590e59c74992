package dev.tinify.runtime.pointcloud;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.entropy.Fixtures;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.reference.ReferenceCase;
import org.junit.jupiter.api.Test;

/**
 * The three set abstractions of CompressAI's {@code sfu2024-pcc-rec-pointnet2-ssg} fixture
 * (D=(0,16,24,32), P=(256,64,16,1), S=(-,4,4,16), R=(-,0.3,0.6,-)): grouped inputs
 * ({@code debug_outputs.uu_i}) and features ({@code debug_outputs.u_i}) within 1e-4.
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
            SetAbstraction.Output l1 = down.one.forward(m, new float[][] {c.tensor("x").toFloats()}, null);
            Fixtures.assertClose(c.tensor("forward.debug_outputs.uu_0"), l1.grouped(), TOL, "uu_0");
            Fixtures.assertClose(c.tensor("forward.debug_outputs.u_1"), l1.newFeatures(), TOL, "u_1");
            SetAbstraction.Output l2 = down.two.forward(m, l1.newXyz(), l1.newFeatures());
            Fixtures.assertClose(c.tensor("forward.debug_outputs.uu_1"), l2.grouped(), TOL, "uu_1");
            Fixtures.assertClose(c.tensor("forward.debug_outputs.u_2"), l2.newFeatures(), TOL, "u_2");
            SetAbstraction.Output l3 = down.three.forward(m, l2.newXyz(), l2.newFeatures());
            Fixtures.assertClose(c.tensor("forward.debug_outputs.uu_2"), l3.grouped(), TOL, "uu_2");
            NDArray u3 = l3.newFeatures();
            Fixtures.assertClose(c.tensor("forward.debug_outputs.u_3"), u3, TOL, "u_3");
        }
    }
}
