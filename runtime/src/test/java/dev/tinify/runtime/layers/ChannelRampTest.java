package dev.tinify.runtime.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.layers.ChannelRamp.Interp;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ELIC's parameter aggregation built by the channel ramp, against the elic2022-official fixture (N=16, groups 4, 12, 16). */
class ChannelRampTest {

    @ParameterizedTest(name = "group y{0} of {1} channels")
    @CsvSource({"0, 4", "1, 12", "2, 16"})
    void elicParamAggregationMatchesFixture(int k, int group) throws IOException {
        int n = 16;
        int in = group * 2 + (k > 0 ? group * 2 : 0) + n * 2;
        Map<String, Tensor> sd = ReferenceCase.fixture("elic2022-official").stateDict();
        String prefix = "latent_codec.y.latent_codec.y" + k + ".entropy_parameters.";
        try (NDManager m = NDManager.newBaseManager()) {
            Sequential ramp = ChannelRamp.sequential(in, group * 2, n * 2, 3, Interp.LINEAR,
                    (a, b) -> new Conv2d(m, a, b, 1, 1, 0, true), Activation::relu, true);
            assertEquals(TestTensors.keyShapes(sd, prefix), TestTensors.keyShapes(ramp));
            assertEquals(5, ramp.size());
            assertEquals(group * 2, ramp.outChannels(in));
        }
    }

    @Test
    void countsFollowFloat32Linspace() {
        assertArrayEquals(new int[] {40, 32, 32, 8}, ChannelRamp.channels(40, 8, 32, 3, Interp.LINEAR));
        assertArrayEquals(new int[] {80, 61, 42, 24}, ChannelRamp.channels(80, 24, 32, 3, Interp.LINEAR));
        assertArrayEquals(new int[] {96, 74, 53, 32}, ChannelRamp.channels(96, 32, 32, 3, Interp.LINEAR));
        assertArrayEquals(new int[] {5, 12, 31, 80}, ChannelRamp.channels(5, 80, 0, 3, Interp.LOG));
    }

    @Test
    void keepsTheLastActivationWhenAsked() {
        try (NDManager m = NDManager.newBaseManager()) {
            Sequential ramp = ChannelRamp.sequential(8, 4, 0, 2, Interp.LINEAR,
                    (a, b) -> Conv2d.conv1x1(m, a, b), Activation::relu, false);
            assertEquals(4, ramp.size());
            assertEquals(Activation.Kind.RELU, ((Activation) ramp.get(3)).kind());
        }
    }
}
