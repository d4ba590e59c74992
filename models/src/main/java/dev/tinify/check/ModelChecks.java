package dev.tinify.check;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tinify.Tinify;
import dev.tinify.dsl.SpecReader;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.codecs.vbr.Rate;
import dev.tinify.runtime.checkpoint.StateDicts;
import java.nio.file.Path;
import dev.tinify.runtime.coding.RansCoder;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.model.CompressionModel.ForwardResult;
import dev.tinify.runtime.reference.ReferenceCase;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tinify.runtime.entropy.EntropyModel;
import dev.tinify.runtime.nn.Module;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Checks of a CompressAI model case: builds the architecture the case names (its bundled spec,
 * with the case's {@code constructor_kwargs} as parameters), loads the case's state dict, then
 * runs each {@link ModelCheck} in order against that one model.
 */
public final class ModelChecks implements CaseCheck {
    /** Float tolerance for images, latents and likelihoods (see the fixtures' README). */
    public static final double TOLERANCE = 1e-4;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<ModelCheck> checks;
    private final CheckAgainst against;

    public ModelChecks(List<ModelCheck> checks) {
        this(checks, CheckAgainst.RECORDED);
    }

    private ModelChecks(List<ModelCheck> checks, CheckAgainst against) {
        this.checks = List.copyOf(checks);
        this.against = against;
    }

    /** The checks of a model case: state-dict keys, evaluation-mode forward, compress, decompress. */
    public static ModelChecks standard() {
        return new ModelChecks(List.of(ModelChecks::stateDictKeys, ModelChecks::forward, ModelChecks::compress,
                ModelChecks::decompress));
    }

    /** {@link #standard()} built {@code against} a spec, preceded by {@link #weights} of its weights file when given. */
    public static ModelChecks standard(CheckAgainst against) {
        List<ModelCheck> checks = new ArrayList<>();
        if (against.weights() != null) {
            checks.add(weights(against.weights(), against));
        }
        checks.addAll(standard().checks);
        return new ModelChecks(checks, against);
    }

    /**
     * The weights in {@code file} (loaded as {@code --weights} loads them) equal the case's state
     * dict bit for bit; every differing tensor is named, the first with its largest difference.
     */
    public static ModelCheck weights(Path file, CheckAgainst against) {
        return (reference, model, report) -> {
            Map<String, SafeTensors.Tensor> ours;
            try (CompressionModel other = build(reference, against)) {
                Tinify.load(other, file, notice -> { });
                ours = StateDicts.save(other, StateDicts.Precision.FULL);
            }
            List<String> differing = new ArrayList<>();
            String first = "";
            for (Map.Entry<String, SafeTensors.Tensor> e : reference.stateDict().entrySet()) {
                SafeTensors.Tensor t = ours.get(e.getKey());
                SafeTensors.Tensor r = e.getValue();
                if (t != null && !(t.dtype() == r.dtype() && Arrays.equals(t.shape(), r.shape())
                        && t.data().duplicate().rewind().equals(r.data().duplicate().rewind()))) {
                    if (differing.isEmpty() && r.dtype() == SafeTensors.DType.F32 && Arrays.equals(t.shape(), r.shape())) {
                        first = String.format(java.util.Locale.ROOT, " (max |diff| %.3e)", maxDiff(t.toFloats(), r.toFloats()));
                    }
                    differing.add(e.getKey());
                }
            }
            if (differing.isEmpty()) {
                report.pass("weights", file + ": " + ours.size() + " tensors equal the recorded state dict");
            } else {
                report.fail("weights", file + ": " + differing.size() + " tensor(s) differ from the recorded state dict: "
                        + differing.get(0) + first + (differing.size() > 1 ? ", " + String.join(", ", differing.subList(1, Math.min(6, differing.size()))) : ""));
            }
        };
    }

    private static double maxDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }

    /** The spec a case is built from: its CompressAI registry name. */
    public static String architecture(ReferenceCase reference) {
        JsonNode n = reference.meta().path("registry_name");
        return n.isTextual() ? n.asText() : reference.name();
    }

    /**
     * The case's constructor arguments as spec parameters: numbers, and lists of numbers (ELIC's
     * groups). A dictionary argument gives one parameter per entry, named {@code argument_key}
     * (PointNet's {@code num_channels["g_a"]} is {@code num_channels_g_a}).
     */
    public static Map<String, Object> parameters(ReferenceCase reference) {
        Map<String, Object> out = new LinkedHashMap<>();
        flatten(reference, "", reference.constructorKwargs(), out);
        return out;
    }

    private static void flatten(ReferenceCase reference, String prefix, JsonNode kwargs, Map<String, Object> out) {
        Iterator<Map.Entry<String, JsonNode>> it = kwargs.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix + e.getKey();
            if (e.getValue().isObject()) {
                flatten(reference, key + "_", e.getValue(), out);
            } else {
                out.put(key, value(reference, key, e.getValue()));
            }
        }
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
            // None in a list (PointNet++'s unused S[0], R[0]) is 0, the specs' value for an unused entry.
            v.forEach(item -> list.add(item.isNull() ? (Object) 0 : value(reference, key, item)));
            return list;
        }
        throw new IllegalArgumentException(reference.dir() + ": constructor argument " + key + " = " + v
                + " is not a number, boolean or list");
    }

    @Override
    public void run(ReferenceCase reference, CaseReport report) throws Exception {
        try (CompressionModel model = build(reference, against)) {
            model.load(reference.stateDict());
            model.train(false);
            for (ModelCheck c : checks) {
                c.run(reference, model, report);
            }
        }
    }

    /**
     * The rate a variable-rate case was run at ({@code vbr} in case.json: a nonzero
     * {@code inputscale} is the gain itself, else {@code s} indexes the trained gains); null for
     * fixed-rate cases.
     */
    static @Nullable Rate rate(ReferenceCase reference) {
        JsonNode vbr = reference.meta().path("vbr");
        if (vbr.isMissingNode() || vbr.isNull()) {
            return null;
        }
        if (vbr.path("stage").asInt(2) != 2) {
            throw new IllegalArgumentException(reference.dir() + ": only stage-2 variable-rate cases can be checked, got stage "
                    + vbr.path("stage"));
        }
        double scale = vbr.path("inputscale").asDouble(0);
        return scale != 0 ? Rate.scale(scale) : Rate.level(vbr.path("s").asInt(1));
    }

    /**
     * The model a case names, with its parameters: built from {@code against}'s spec when given,
     * else from the spec text a recorded case carries ({@link CaseRecorder}), else from the bundled
     * spec of its registry name (only a bundled one: a name in a file never makes the program read
     * another file).
     */
    static CompressionModel build(ReferenceCase reference, CheckAgainst against) {
        if (against.spec() != null) {
            return Tinify.build(against.spec(), parameters(reference));
        }
        JsonNode text = reference.meta().path("spec_yaml");
        if (text.isTextual()) {
            return Tinify.build(SpecReader.read(reference.dir().resolve("case.json") + " spec_yaml", text.asText()), parameters(reference));
        }
        return Tinify.build(Tinify.bundledSpec(architecture(reference)), parameters(reference));
    }

    /** Our state-dict keys equal CompressAI's, in any order. */
    static void stateDictKeys(ReferenceCase reference, CompressionModel model, CaseReport report) throws Exception {
        compareKeys("state_dict keys", model.stateDict().keySet(), reference.stateDict().keySet(), report);
    }

    /** Forward (evaluation mode) on the case's {@code x}: {@code y}, {@code x_hat} and every likelihood. */
    static void forward(ReferenceCase reference, CompressionModel model, CaseReport report) throws Exception {
        try (NDManager m = model.manager().newSubManager()) {
            NDArray x = toArray(m, reference.tensor("x"));
            Rate rate = rate(reference);
            ForwardResult out;
            try (NeighbourhoodCalls calls = new NeighbourhoodCalls()) {
                out = rate == null ? model.forward(x) : model.forward(x, rate);
                calls.compare(reference, "forward", report);
            }
            List<String> refLikelihoods = new ArrayList<>();
            for (String name : referenceTensorNames(reference)) {
                if (name.startsWith("forward.likelihoods.")) {
                    refLikelihoods.add(name.substring("forward.likelihoods.".length()));
                }
            }
            compareKeys("likelihood keys", out.likelihoods().keySet(), refLikelihoods, report);
            // Models with several latents (one per level) have no single y; their latents are the entropy models' inputs.
            String y = reference.hasTensor("y") ? "y" : "forward.y";
            if (reference.hasTensor(y)) {
                report.compare(y, floats(out.y()), reference.tensor(y).toFloats(), TOLERANCE);
            }
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

    /**
     * Compress on the case's {@code x}: every rANS call's symbols and indexes, the strings byte for
     * byte, and the shape. A differing symbol is excused (and named) only where the case's margins
     * show CompressAI itself within float noise of a boundary.
     */
    static void compress(ReferenceCase reference, CompressionModel model, CaseReport report) throws Exception {
        Map<String, EntropyModel> models = entropyModels("", model, new LinkedHashMap<>());
        Map<String, RecordingCoder> coders = RecordingCoder.install(models, new RansCoder());
        try (NDManager m = model.manager().newSubManager()) {
            NDArray x = toArray(m, reference.tensor("x"));
            Rate rate = rate(reference);
            CompressionModel.Compressed out;
            try (MarginWatch watch = new MarginWatch(models); NeighbourhoodCalls calls = new NeighbourhoodCalls()) {
                watch.phase("compress");
                out = rate == null ? model.compress(x) : model.compress(x, rate);
                calls.compare(reference, "compress", report);
                compareMargins(reference, "compress", watch.values(), models, report);
            }
            boolean excused = reference.meta().path("compress").has("coder_calls")
                    ? compareCoderCalls(reference, coders, report) : compareModelSymbols(reference, coders, report);
            List<List<byte[]>> expected = reference.compressStrings();
            if (out.strings().size() != expected.size()) {
                report.fail("compress.strings", out.strings().size() + " streams, reference has " + expected.size());
            } else {
                for (int i = 0; i < expected.size(); i++) {
                    for (int b = 0; b < expected.get(i).size(); b++) {
                        String what = "compress.strings[" + i + "][" + b + "]";
                        byte[] ours = b < out.strings().get(i).size() ? out.strings().get(i).get(b) : new byte[0];
                        if (excused && !Arrays.equals(ours, expected.get(i).get(b))) {
                            report.excuse(what, "differs as a consequence of the excused symbol(s) above");
                        } else {
                            report.compareBytes(what, ours, expected.get(i).get(b));
                        }
                    }
                }
            }
            JsonNode ourShape = JSON.readTree(JSON.writeValueAsString(out.shape()));
            JsonNode refShape = reference.meta().path("compress").path("shape");
            if (ourShape.equals(refShape)) {
                report.pass("compress.shape", refShape.toString());
            } else {
                report.fail("compress.shape", ourShape + ", reference " + refShape);
            }
        } finally {
            models.values().forEach(em -> em.setEntropyCoder(null));
        }
    }

    /** Decompress of CompressAI's own strings and shape: {@code x_hat} within tolerance. */
    static void decompress(ReferenceCase reference, CompressionModel model, CaseReport report) throws Exception {
        Map<String, EntropyModel> models = entropyModels("", model, new LinkedHashMap<>());
        try (NDManager m = model.manager().newSubManager(); MarginWatch watch = new MarginWatch(models);
                NeighbourhoodCalls calls = new NeighbourhoodCalls()) {
            Rate rate = rate(reference);
            watch.phase("decompress");
            NDArray xHat = rate == null ? model.decompress(m, reference.compressStrings(), reference.compressShape())
                    : model.decompress(m, reference.compressStrings(), reference.compressShape(), rate);
            calls.compare(reference, "decompress", report);
            compareMargins(reference, "decompress", watch.values(), models, report);
            report.compare("decompress.x_hat", floats(xHat), reference.tensor("decompress.x_hat").toFloats(), TOLERANCE);
        }
    }

    /**
     * The case's decision margins of {@code phase} against the ones measured here, on one line: a
     * margin is how near the case's own values came to a rounding or scale-table boundary, so a
     * change that moves the latents or the scales moves it. Margins the case has and this model
     * does not measure (the per-position decoding of autoregressive models, mixture models) are
     * named in the line.
     */
    private static void compareMargins(ReferenceCase reference, String phase, Map<String, Double> measured,
            Map<String, EntropyModel> models, CaseReport report) {
        JsonNode values = reference.meta().path("margins").path("values");
        double worst = 0;
        int compared = 0;
        List<String> differing = new ArrayList<>();
        List<String> unmeasured = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = values.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String[] parts = e.getKey().split(":");
            if (parts.length != 3 || !parts[0].equals(phase) || !e.getValue().isNumber()) {
                continue;
            }
            String module = parts[1];
            String path = models.containsKey(module) ? module
                    : models.keySet().stream().filter(k -> k.endsWith("." + module)).findFirst().orElse(module);
            Double ours = measured.get(phase + ":" + path + ":" + parts[2]);
            if (ours == null) {
                unmeasured.add(module + ":" + parts[2]);
                continue;
            }
            compared++;
            double d = Math.abs(ours - e.getValue().asDouble());
            worst = Math.max(worst, d);
            if (!(d <= TOLERANCE)) {
                differing.add(String.format(java.util.Locale.ROOT, "%s:%s %.3e, case %.3e", module, parts[2], ours,
                        e.getValue().asDouble()));
            }
        }
        if (compared == 0 && unmeasured.isEmpty()) {
            return;
        }
        String detail = String.format(java.util.Locale.ROOT, "%d compared, max|err| %.3e (tol %.0e)", compared, worst, TOLERANCE)
                + (unmeasured.isEmpty() ? "" : "; not measured here: " + String.join(", ", unmeasured));
        if (differing.isEmpty()) {
            report.pass(phase + ".margins", detail);
        } else {
            report.fail(phase + ".margins", String.join("; ", differing) + " (" + detail + ")");
        }
    }

    /**
     * Compares each recorded coder call with the fixture's under {@link ExcusedFlips}; returns
     * whether a difference was excused.
     */
    private static boolean compareCoderCalls(ReferenceCase reference, Map<String, RecordingCoder> coders, CaseReport report) {
        JsonNode calls = reference.meta().path("compress").path("coder_calls");
        Map<String, Integer> used = new LinkedHashMap<>();
        boolean excused = false;
        for (JsonNode call : calls) {
            int index = call.path("index").asInt();
            String model = call.path("entropy_model").asText();
            String what = "coder call " + index + " (" + model + ")";
            // CompressAI tags the per-position coding of autoregressive models, e.g. "gaussian_conditional(autoregressive)".
            String module = model.replaceFirst("\\(.*\\)$", "");
            String path = coders.containsKey(module) ? module
                    : coders.keySet().stream().filter(k -> k.endsWith("." + module)).findFirst().orElse(null);
            if (path == null) {
                report.fail(what, "no entropy model '" + model + "' in the model (have " + coders.keySet() + ")");
                continue;
            }
            int n = used.merge(path, 1, Integer::sum) - 1;
            List<RecordingCoder.Stream> ours = coders.get(path).encoded();
            if (n >= ours.size()) {
                report.fail(what, "the model made only " + ours.size() + " call(s) with " + path);
                continue;
            }
            int[] refSymbols = reference.tensor("compress.coder." + index + ".symbols").toInts();
            int[] refIndexes = reference.tensor("compress.coder." + index + ".indexes").toInts();
            RecordingCoder.Stream c = ours.get(n);
            excused |= report(ExcusedFlips.judge(reference, "compress", model, c.symbols(), refSymbols, c.indexes(), refIndexes),
                    what, refSymbols.length, report);
        }
        return excused;
    }

    /** Reports one coder comparison; returns whether a difference was excused. */
    private static boolean report(ExcusedFlips.Verdict v, String what, int symbols, CaseReport report) {
        if (v.equal()) {
            report.pass(what, symbols + " symbols and indexes equal");
        } else if (v.excused()) {
            report.excuse(what, v.detail());
            return true;
        } else {
            report.fail(what, v.differences() + (v.detail().isEmpty() ? "" : ": " + v.detail()));
        }
        return false;
    }

    /**
     * Point-cloud cases store each entropy model's coded arrays as {@code compress.<path>.symbols}
     * and {@code .indexes} (one call per model): compares ours with them under {@link
     * ExcusedFlips}; returns whether a difference was excused.
     */
    private static boolean compareModelSymbols(ReferenceCase reference, Map<String, RecordingCoder> coders, CaseReport report) {
        boolean excused = false;
        for (Map.Entry<String, RecordingCoder> e : coders.entrySet()) {
            String what = "coder " + e.getKey();
            String name = "compress." + e.getKey() + ".symbols";
            List<RecordingCoder.Stream> ours = e.getValue().encoded();
            if (!reference.hasTensor(name)) {
                if (!ours.isEmpty()) {
                    report.fail(what, "the model coded with it, the reference did not");
                }
                continue;
            }
            if (ours.size() != 1) {
                report.fail(what, ours.size() + " calls, the reference has one");
                continue;
            }
            int[] refSymbols = reference.tensor(name).toInts();
            excused |= report(ExcusedFlips.judge(reference, "compress", e.getKey(), ours.get(0).symbols(), refSymbols,
                    ours.get(0).indexes(), reference.tensor("compress." + e.getKey() + ".indexes").toInts()), what, refSymbols.length, report);
        }
        return excused;
    }

    /** Every entropy model in the tree by dotted path. */
    static Map<String, EntropyModel> entropyModels(String prefix, Module m, Map<String, EntropyModel> out) {
        m.children().forEach((name, child) -> {
            if (child instanceof EntropyModel em) {
                out.put(prefix + name, em);
            }
            entropyModels(prefix + name + ".", child, out);
        });
        return out;
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
