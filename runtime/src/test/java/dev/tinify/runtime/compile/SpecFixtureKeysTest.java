package dev.tinify.runtime.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.tinify.dsl.Resolver;
import dev.tinify.dsl.Resolver.Part;
import dev.tinify.dsl.Spec;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.nn.Param;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every spec describes CompressAI's architecture exactly: building each part of the resolved
 * tree that holds parameters (top-level modules, and the layers and entropy models written inside
 * the codec tree, per group for ELIC) yields, under the part's path, precisely the fixture's
 * state-dict keys with the fixture's shapes (CDF tables excepted: they are sized when computed or
 * loaded). The keys are checked part by part, without running the model, so a failure names the
 * part whose layers or arguments differ from CompressAI's.
 */
class SpecFixtureKeysTest {

    @ParameterizedTest
    @ValueSource(strings = {"bmshj2018-factorized", "bmshj2018-factorized-relu", "bmshj2018-hyperprior", "mbt2018-mean", "mbt2018",
            "cheng2020-anchor", "cheng2020-attn", "cheng2020-anchor-checkerboard", "elic2022-official", "elic2022-chandelier"})
    void partsProduceTheFixtureKeys(String name) throws IOException {
        ReferenceCase ref = ReferenceCase.fixture(name);
        Spec spec = SpecFixtures.spec(name);
        Resolver.Resolved resolved = spec.resolve(SpecFixtures.overrides(ref));
        List<Part> parts = new ArrayList<>(resolved.modules().values());
        collectInline(resolved.latentCodec(), parts);
        Map<String, Tensor> state = ref.stateDict();
        TreeSet<String> built = new TreeSet<>();
        try (NDManager m = NDManager.newBaseManager()) {
            for (Part p : parts) {
                Module module = SpecCompiler.part(spec, m, p);
                String prefix = p.path().replaceAll("\\[(\\d+)]", ".$1") + ".";
                for (Map.Entry<String, Param> e : module.stateDict().entrySet()) {
                    String key = prefix + e.getKey();
                    Tensor t = state.get(key);
                    assertTrue(t != null, () -> name + ": " + key + " is not in CompressAI's state dict");
                    if (!StateDicts.RESIZED_ON_LOAD.contains(key.substring(key.lastIndexOf('.') + 1))) {
                        assertEquals(Arrays.toString(t.shape()), Arrays.toString(e.getValue().value().getShape().getShape()), key);
                    }
                    built.add(key);
                }
            }
        }
        assertEquals(new TreeSet<>(state.keySet()), built, name + ": keys built from the spec");
    }

    /** Parts written inside the codec tree that are layers or entropy models (not codecs, not references). */
    private static void collectInline(Part codec, List<Part> out) {
        dev.tinify.dsl.Kind def = codec.kind();
        for (Map.Entry<String, Object> a : codec.args().entrySet()) {
            dev.tinify.dsl.Kinds.ArgType type = def.arg(a.getKey()).type();
            List<Part> values = new ArrayList<>();
            if (a.getValue() instanceof Part p) {
                values.add(p);
            } else if (a.getValue() instanceof Map<?, ?> m) {
                m.values().forEach(v -> values.add((Part) v));
            }
            for (Part p : values) {
                if (type == dev.tinify.dsl.Kinds.ArgType.CODEC || type == dev.tinify.dsl.Kinds.ArgType.CODEC_TEMPLATE) {
                    collectInline(p, out);
                } else if (p.ref() == null) {
                    out.add(p);
                }
            }
        }
    }
}
