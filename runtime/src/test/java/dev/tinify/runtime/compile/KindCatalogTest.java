package dev.tinify.runtime.compile;

import static dev.tinify.dsl.SpecBuilder.seq;
import static dev.tinify.dsl.kinds.EntropyModels.entropyBottleneck;
import static dev.tinify.dsl.kinds.EntropyModels.gaussianConditional;
import static dev.tinify.dsl.kinds.EntropyModels.gaussianMixtureConditional;
import static dev.tinify.dsl.kinds.LatentCodecs.entropyBottleneckCodec;
import static dev.tinify.dsl.kinds.LatentCodecs.gainHyper;
import static dev.tinify.dsl.kinds.LatentCodecs.gaussianConditionalCodec;
import static dev.tinify.dsl.kinds.LatentCodecs.hyper;
import static dev.tinify.dsl.kinds.Layers.conv;
import static dev.tinify.dsl.kinds.Layers.deconv;
import static dev.tinify.dsl.kinds.Layers.gainTable;
import static dev.tinify.dsl.kinds.Layers.maskedConv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.dsl.IntExpr;
import dev.tinify.dsl.Kind;
import dev.tinify.dsl.Kinds;
import dev.tinify.dsl.Node;
import dev.tinify.dsl.Resolver;
import dev.tinify.dsl.Spec;
import dev.tinify.dsl.SpecBuilder;
import dev.tinify.dsl.SpecException;
import dev.tinify.dsl.kinds.LatentCodecs;
import dev.tinify.dsl.kinds.Layers;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.layers.ChannelRamp;
import dev.tinify.runtime.layers.Conv2d;
import dev.tinify.runtime.layers.LayerModule;
import dev.tinify.runtime.layers.Sequential;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.nn.Module;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The catalog never offers what the runtime cannot build: every declared kind, with its required
 * arguments and each option of each of its choices, builds; a layer's channels are the declared ones.
 */
class KindCatalogTest {
    private static final int C = 4;

    /** Each kind once with its defaults, then once per option of each choice argument. */
    private static Stream<Arguments> uses(Kinds.Namespace ns) {
        List<Arguments> out = new ArrayList<>();
        for (Kind k : Kinds.all(ns)) {
            if (k == Kinds.REPEAT) {
                continue;
            }
            out.add(Arguments.of(k.name(), Map.of()));
            for (Kinds.ArgDef a : k.args()) {
                for (String option : a.choices()) {
                    out.add(Arguments.of(k.name(), Map.of(a.name(), option)));
                }
            }
        }
        return out.stream();
    }

    static Stream<Arguments> layerUses() {
        return uses(Kinds.Namespace.LAYER);
    }

    static Stream<Arguments> codecUses() {
        return uses(Kinds.Namespace.CODEC);
    }

    /** A value for a required argument: channel counts and kernel sizes small, parts of the kind each argument names. */
    private static Object value(Kind kind, Kinds.ArgDef a) {
        return switch (a.type()) {
            // A point-cloud layer's output has 3 + dim channels; the decoder's candidates divide dim.
            case INT -> a.name().contains("kernel") ? 3 : a.name().equals("dim") ? C - 3 : a.name().equals("candidates") ? 1 : C;
            case FLOAT -> 0.5;
            case BOOL -> true;
            // A set abstraction's output has 3 + mlp[-1] channels (coordinates, then features); levels code one C-channel level.
            case INT_LIST -> a.name().equals("mlp") ? List.of(2, C - 3) : kind == LatentCodecs.LEVELS
                    ? List.of(a.name().equals("channels") ? C : 1) : List.of(2, 2);
            case LAYER -> switch (a.name()) {
                case "entropy_bottleneck" -> entropyBottleneck(C);
                case "gaussian_conditional" -> gaussianConditional();
                case "gaussian_mixture_conditional" -> gaussianMixtureConditional();
                case "context_prediction" -> maskedConv(C, 2 * C, 5, null, 2);
                case "gain", "y_gain", "y_gain_inv", "z_gain", "z_gain_inv" -> gainTable(2, C);
                default -> conv(C, C, 3, 1);
            };
            case CODEC -> !a.name().equals("hyper") ? gaussianConditionalCodec()
                    : kind == LatentCodecs.GAIN_HYPERPRIOR ? gainHyper(entropyBottleneck(C), conv(C, C, 3, 1), conv(C, C, 3, 1))
                    : hyper(entropyBottleneck(C), conv(C, C, 3, 1), conv(C, C, 3, 1));
            case LAYER_TEMPLATE -> (Function<IntExpr, Node>) k -> conv(C, C, 3, 1);
            case CODEC_TEMPLATE -> (Function<IntExpr, Node>) k -> gaussianConditionalCodec();
            default -> throw new IllegalArgumentException("no test value for " + a);
        };
    }

    private static Node.Call minimal(Kind kind, Map<String, String> choices) {
        Map<String, Object> args = new LinkedHashMap<>(choices);
        for (Kinds.ArgDef a : kind.args()) {
            if (a.required()) {
                Object v = value(kind, a);
                args.put(a.name(), v instanceof Function<?, ?> f ? ((Function<IntExpr, Node>) f).apply(IntExpr.name(Resolver.GROUP_VAR)) : v);
            }
        }
        if (kind == LatentCodecs.LEVELS) {
            args.put("_0", entropyBottleneckCodec(entropyBottleneck(C)));
        }
        return kind.call(List.of(), args);
    }

    private static Spec spec(Node gA, Node codec) {
        SpecBuilder b = Spec.builder("catalog");
        b.module("g_a", gA);
        b.module("g_s", seq(deconv(C, 3, 3, 1)));
        return b.latentCodec(codec).build();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("layerUses")
    void everyLayerKindBuilds(String name, Map<String, String> choices) {
        Kind kind = Kinds.find(Kinds.Namespace.LAYER, name);
        Spec spec = spec(seq(conv(3, C, 3, 1), minimal(kind, choices)), entropyBottleneckCodec(entropyBottleneck(C)));
        Resolver.Part part = spec.resolve(Map.of()).modules().get("g_a").items().get(1);
        try (NDManager m = NDManager.newBaseManager()) {
            Module built = SpecCompiler.part(spec, m, part);
            if (built instanceof LayerModule layer && part.out() != null) {
                // A kind without an input rule (reshape) reads the C channels of the convolution before it.
                assertEquals(part.out().intValue(), layer.outChannels(part.in() != null ? part.in() : C), name + ": output channels of the declared rule");
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("codecUses")
    void everyCodecKindBuilds(String name, Map<String, String> choices) {
        Kind kind = Kinds.find(Kinds.Namespace.CODEC, name);
        try (CompressionModel model = SpecCompiler.compile(spec(seq(conv(3, C, 3, 1)), minimal(kind, choices)))) {
            assertInstanceOf(LatentCodec.class, model.latentCodec());
        }
    }

    @Test
    void channelRampHonoursInterp() {
        Map<String, List<Long>> widths = new LinkedHashMap<>();
        for (String interp : List.of("linear", "log")) {
            Node ramp = Layers.CHANNEL_RAMP.call(List.of(64, 4), Map.of("interp", interp, "num_layers", 2));
            Spec spec = spec(seq(conv(3, 64, 3, 1), ramp), entropyBottleneckCodec(entropyBottleneck(C)));
            try (NDManager m = NDManager.newBaseManager()) {
                Sequential built = (Sequential) SpecCompiler.part(spec, m, spec.resolve(Map.of()).modules().get("g_a").items().get(1));
                List<Long> w = new ArrayList<>();
                for (int i = 0; i < built.size(); i += 2) {
                    w.add(((Conv2d) built.get(i)).weight().getShape().get(0));
                }
                widths.put(interp, w);
            }
        }
        int[] log = ChannelRamp.channels(64, 4, 0, 2, ChannelRamp.Interp.LOG);
        assertEquals(List.of((long) log[1], (long) log[2]), widths.get("log"));
        assertEquals(List.of(34L, 4L), widths.get("linear"));
        assertNotEquals(widths.get("linear"), widths.get("log"));
    }

    @Test
    void entropyBottleneckCodecHonoursSte() {
        Spec spec = spec(seq(conv(3, C, 3, 1)), Kinds.find(Kinds.Namespace.CODEC, "entropy_bottleneck")
                .call(List.of(entropyBottleneck(C)), Map.of("quantizer", "ste")));
        try (CompressionModel model = SpecCompiler.compile(spec); NDManager m = NDManager.newBaseManager()) {
            model.train(true);
            NDArray y = m.randomNormal(new Shape(1, C, 8, 8)).mul(3);
            NDArray yHat = model.latentCodec().forward(y, null).yHat();
            var eb = ((dev.tinify.runtime.codecs.EntropyBottleneckLatentCodec) model.latentCodec()).entropyBottleneck();
            NDArray offset = yHat.sub(eb.medians());
            assertTrue(offset.sub(offset.round()).abs().max().getFloat() < 1e-5, "STE rounds around the medians in training too");
            assertFalse(y.sub(yHat).abs().max().getFloat() == 0f);
        }
    }

    @Test
    void aKindWithoutImplementationIsNamedWithItsPath() {
        Kind undone = Kind.layer("undone", "(test) declared, never implemented")
                .required("channels", Kinds.ArgType.INT).channels("channels", "channels").build();
        Spec spec = spec(seq(conv(3, C, 3, 1), undone.call(C)), entropyBottleneckCodec(entropyBottleneck(C)));
        SpecException e = assertThrows(SpecException.class, () -> SpecCompiler.compile(spec));
        assertEquals("g_a[1]", e.path());
        assertTrue(e.problem().contains("undone (layer kind) is not supported by this runtime yet"), e.getMessage());
    }
}
