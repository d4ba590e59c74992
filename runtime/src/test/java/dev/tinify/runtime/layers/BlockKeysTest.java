package dev.tinify.runtime.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each composite block's state-dict keys and shapes equal CompressAI's under the block's prefix in a fixture. */
class BlockKeysTest {

    static Stream<Arguments> blocks() {
        return Stream.of(
                block("cheng2020-attn", "g_a.0.", m -> new ResidualBlockWithStride(m, 3, 16, 2)),
                block("cheng2020-attn", "g_a.1.", m -> new ResidualBlock(m, 16, 16)),
                block("cheng2020-attn", "g_a.3.", m -> new AttentionBlock(m, 16)),
                block("cheng2020-attn", "g_a.3.conv_a.0.", m -> new ResidualUnit(m, 16)),
                block("cheng2020-attn", "g_s.2.", m -> new ResidualBlockUpsample(m, 16, 16, 2)),
                block("cheng2020-attn", "g_s.9.", m -> new SubpelConv3x3(m, 16, 3, 2)),
                block("cheng2020-attn", "h_s.6.", m -> new SubpelConv3x3(m, 24, 24, 2)),
                block("elic2022-official", "g_a.1.", m -> new ResidualBottleneckBlock(m, 16, 16)),
                block("elic2022-official", "g_a.14.", m -> new AttentionBlock(m, 32)),
                block("elic2022-official", "g_s.1.", m -> new ConvTranspose2d(m, 32, 16, 5, 2)),
                block("elic2022-official", "latent_codec.hyper.h_s.4.", m -> new ConvTranspose2d(m, 24, 32, 3, 1)),
                block("bmshj2018-hyperprior", "g_a.1.", m -> new Gdn(m, 16, false)),
                block("bmshj2018-hyperprior", "g_a.0.", m -> new Conv2d(m, 3, 16, 5, 2)),
                block("elic2022-official", "latent_codec.y.latent_codec.y2.context_prediction.",
                        m -> new CheckerboardMaskedConv2d(m, 16, 32, 5, MaskedConv2d.MaskType.A)));
    }

    private static Arguments block(String fixture, String prefix, Function<NDManager, LayerModule> build) {
        return Arguments.of(fixture, prefix, build);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("blocks")
    void keysAndShapesMatch(String fixture, String prefix, Function<NDManager, LayerModule> build) throws IOException {
        Map<String, Tensor> sd = ReferenceCase.fixture(fixture).stateDict();
        Map<String, String> expected = TestTensors.keyShapes(sd, prefix);
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(expected, TestTensors.keyShapes(build.apply(m)));
        }
    }
}
