package dev.tinify.check;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tinify.Tinify;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.model.CompressionModel.ForwardResult;
import dev.tinify.runtime.reference.ReferenceCase;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Checks of a CompressAI model case: builds the architecture the case names (its bundled spec,
 * with the case's {@code constructor_kwargs} as parameters), loads the case's state dict, then
 * runs each {@link ModelCheck} in order against that one model.
 */
public final class ModelChecks implements CaseCheck {
    /** Float tolerance for images, latents and likelihoods (see the fixtures' README). */
    public static final double TOLERANCE = 1e-4;

    private final List<ModelCheck> checks;

    public ModelChecks(List<ModelCheck> checks) {
        this.checks = List.copyOf(checks);
    }

    /** The checks the runtime can run today: state-dict keys and the evaluation-mode forward pass. */
    public static ModelChecks standard() {
        return new ModelChecks(List.of(ModelChecks::stateDictKeys, ModelChecks::forward));
    }

    /** The spec a case is built from: its CompressAI registry name. */
    public static String architecture(ReferenceCase reference) {
        JsonNode n = reference.meta().path("registry_name");
        return n.isTextual() ? n.asText() : reference.name();
    }

    /** The case's constructor arguments as spec parameters: numbers, and lists of numbers (ELIC's groups). */
    public static Map<String, Object> parameters(ReferenceCase reference) {
        Map<String, Object> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = reference.constructorKwargs().fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), value(reference, e.getKey(), e.getValue()));
        }
        return out;
    }

    private static Object value(ReferenceCase reference, String key, JsonNode v) {
        if (v.isNumber()) {
            return v.numberValue();
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isArray()) {
            List<Object> list = new ArrayList<>();
            v.forEach(item -> list.add(value(reference, key, item)));
            return list;
        }
        throw new IllegalArgumentException(reference.dir() + ": constructor argument " + key + " = " + v
                + " is not a number, boolean or list");
    }

    @Override
    public void run(ReferenceCase reference, CaseReport report) throws Exception {
        try (CompressionModel model = Tinify.build(architecture(reference), parameters(reference))) {
            model.load(reference.stateDict());
            model.train(false);
            for (ModelCheck c : checks) {
                c.run(reference, model, report);
            }
        }
    }

    /** Our state-dict keys equal CompressAI's, in any order. */
    static void stateDictKeys(ReferenceCase reference, CompressionModel model, CaseReport report) throws Exception {
        compareKeys("state_dict keys", model.stateDict().keySet(), reference.stateDict().keySet(), report);
    }

    /** Forward (evaluation mode) on the case's {@code x}: {@code y}, {@code x_hat} and every likelihood. */
    static void forward(ReferenceCase reference, CompressionModel model, CaseReport report) {
        try (NDManager m = model.manager().newSubManager()) {
            ForwardResult out = model.forward(toArray(m, reference.tensor("x")));
            List<String> refLikelihoods = new ArrayList<>();
            for (String name : referenceTensorNames(reference)) {
                if (name.startsWith("forward.likelihoods.")) {
                    refLikelihoods.add(name.substring("forward.likelihoods.".length()));
                }
            }
            compareKeys("likelihood keys", out.likelihoods().keySet(), refLikelihoods, report);
            report.compare("y", floats(out.y()), reference.tensor("y").toFloats(), TOLERANCE);
            report.compare("forward.x_hat", floats(out.xHat()), reference.tensor("forward.x_hat").toFloats(), TOLERANCE);
            for (String k : refLikelihoods) {
                NDArray ours = out.likelihoods().get(k);
                if (ours != null) {
                    report.compare("forward.likelihoods." + k, floats(ours),
                            reference.tensor("forward.likelihoods." + k).toFloats(), TOLERANCE);
                }
            }
        }
    }

    /** Every tensor name the case declares, stored or aliased. */
    static List<String> referenceTensorNames(ReferenceCase reference) {
        List<String> names = new ArrayList<>();
        reference.meta().path("tensors").fieldNames().forEachRemaining(names::add);
        reference.meta().path("tensor_aliases").fieldNames().forEachRemaining(n -> {
            if (!names.contains(n)) {
                names.add(n);
            }
        });
        if (names.isEmpty()) {
            names.addAll(reference.tensorNames());
        }
        return names;
    }

    static void compareKeys(String what, Collection<String> ours, Collection<String> reference,
            CaseReport report) {
        TreeSet<String> missing = new TreeSet<>(reference);
        missing.removeAll(ours);
        TreeSet<String> extra = new TreeSet<>(ours);
        extra.removeAll(reference);
        if (missing.isEmpty() && extra.isEmpty()) {
            report.pass(what, reference.size() + " keys equal");
        } else {
            report.fail(what, "missing " + abbreviate(missing) + ", unexpected " + abbreviate(extra));
        }
    }

    private static String abbreviate(TreeSet<String> keys) {
        if (keys.size() <= 6) {
            return keys.toString();
        }
        List<String> first = new ArrayList<>(keys).subList(0, 6);
        return first + " and " + (keys.size() - 6) + " more";
    }

    /** A reference tensor as an F32 array in {@code manager}. */
    public static NDArray toArray(NDManager manager, SafeTensors.Tensor t) {
        return manager.create(t.toFloats(), new Shape(t.shape()));
    }

    private static float[] floats(NDArray a) {
        return a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
    }
}
