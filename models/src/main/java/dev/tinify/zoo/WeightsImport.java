package dev.tinify.zoo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tinify.Tinify;
import dev.tinify.TinifyException;
import dev.tinify.dsl.Spec;
import dev.tinify.runtime.checkpoint.CheckpointException;
import dev.tinify.runtime.checkpoint.CompressAiKeys;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.checkpoint.WeightsFile;
import dev.tinify.runtime.container.AtomicFiles;
import dev.tinify.runtime.model.CompressionModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Converts a weights file (a PyTorch checkpoint, or safetensors with older key names) once into a
 * safetensors state dict of a spec, with the {@code .json} beside it that {@code tinify export}
 * writes, so that {@code --weights OUT.safetensors} later builds the model at the right sizes.
 * Spec parameters that are not given are inferred from the tensor shapes ({@link #inferParams}).
 */
public final class WeightsImport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private WeightsImport() {}

    /** What was written: the files, the parameters and which of them were inferred, and whether tables were computed. */
    public record Result(Path weights, Path metadata, Map<String, Object> params, List<String> inferred, int tensors,
            List<String> computedTables) {}

    /**
     * Reads {@code in}, fits it to {@code specOrName} built with {@code given} parameters and the
     * others inferred, computes empty CDF tables, and writes {@code out} and its metadata atomically.
     *
     * @throws TinifyException naming the file and what does not fit
     */
    public static Result run(Path in, String specOrName, Map<String, ? extends Number> given, Path out) {
        Spec spec = Tinify.spec(specOrName);
        Map<String, Tensor> stored;
        try {
            stored = WeightsFile.read(in);
        } catch (IOException e) {
            throw new TinifyException(e.getMessage().startsWith(in.toString()) ? e.getMessage() : in + ": " + e.getMessage(), e);
        }
        Map<String, Object> params = inferParams(spec, stored, given);
        List<String> inferred = new ArrayList<>();
        Map<String, Object> defaults = spec.resolve(given).params();
        params.forEach((k, v) -> {
            if (!given.containsKey(k) && !v.equals(defaults.get(k))) {
                inferred.add(k);
            }
        });
        try (CompressionModel model = Tinify.build(spec, params)) {
            WeightsFile.Fitted fitted = WeightsFile.fit(stored, model);
            try {
                model.load(fitted.stateDict());
            } catch (CheckpointException e) {
                throw new TinifyException(in + ": not a state dict of " + spec.name() + " " + numeric(params) + ": " + e.summary()
                        + "; check -m and --set", e);
            }
            if (fitted.needsUpdate()) {
                model.update(true);
            }
            Map<String, Tensor> state = StateDicts.save(model, StateDicts.Precision.FULL);
            Path metadata = WeightsExport.metadataPath(out);
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("spec", spec.name());
            meta.put("params", numeric(params));
            meta.put("imported_from", in.getFileName().toString());
            meta.put("inferred_params", inferred);
            meta.put("computed_tables", fitted.emptyTables());
            try {
                AtomicFiles.write(out, os -> SafeTensors.write(state, os));
                AtomicFiles.write(metadata, (JSON.writeValueAsString(meta) + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new TinifyException(out + ": cannot write: " + e.getMessage(), e);
            }
            return new Result(out, metadata, params, List.copyOf(inferred), state.size(), fitted.emptyTables());
        }
    }

    /** The numeric parameters, which the metadata records (a list parameter keeps the spec's value). */
    private static Map<String, Object> numeric(Map<String, Object> params) {
        Map<String, Object> out = new LinkedHashMap<>();
        params.forEach((k, v) -> {
            if (v instanceof Number) {
                out.put(k, v);
            }
        });
        return out;
    }

    /**
     * The spec's parameters for a stored state dict: {@code given} values as they are, and every
     * other integer parameter solved from the tensor shapes. The model is built once with the
     * defaults and once more per free parameter with that parameter one larger; a tensor dimension
     * that only this parameter moves, by {@code c} per unit, gives the vote {@code p = default +
     * (stored - built) / c}, and the most voted value wins. A spec whose shapes depend on a
     * parameter in other ways keeps its default, and loading then names the mismatch.
     */
    public static Map<String, Object> inferParams(Spec spec, Map<String, Tensor> stored, Map<String, ? extends Number> given) {
        Map<String, Object> base = new LinkedHashMap<>(spec.resolve(given).params());
        List<String> free = new ArrayList<>();
        base.forEach((k, v) -> {
            if (!given.containsKey(k) && (v instanceof Integer || v instanceof Long)) {
                free.add(k);
            }
        });
        if (free.isEmpty()) {
            return base;
        }
        Map<String, long[]> built = shapes(spec, base);
        if (built == null) {
            return base;
        }
        Map<String, Tensor> renamed = CompressAiKeys.rename(stored, built::containsKey);
        Map<String, Map<String, long[]>> moved = new LinkedHashMap<>();
        for (String p : free) {
            Map<String, Object> plus = new LinkedHashMap<>(base);
            plus.put(p, ((Number) base.get(p)).intValue() + 1);
            Map<String, long[]> s = shapes(spec, plus);
            if (s != null) {
                moved.put(p, s);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>(base);
        for (String p : moved.keySet()) {
            Map<Long, Integer> votes = new HashMap<>();
            built.forEach((key, shape) -> {
                Tensor t = renamed.get(key);
                if (t == null || t.shape().length != shape.length || StateDicts.RESIZED_ON_LOAD.contains(key.substring(key.lastIndexOf('.') + 1))) {
                    return;
                }
                for (int d = 0; d < shape.length; d++) {
                    long delta = delta(moved.get(p), key, d, shape[d]);
                    if (delta == 0 || movedByOthers(moved, p, key, d, shape[d])) {
                        continue;
                    }
                    long diff = t.shape()[d] - shape[d];
                    long value = ((Number) base.get(p)).longValue() + diff / delta;
                    if (diff % delta == 0 && value > 0) {
                        votes.merge(value, 1, Integer::sum);
                    }
                }
            });
            votes.entrySet().stream().max(Map.Entry.comparingByValue())
                    .ifPresent(best -> out.put(p, Math.toIntExact(best.getKey())));
        }
        return out;
    }

    private static long delta(Map<String, long[]> shapes, String key, int d, long base) {
        long[] s = shapes.get(key);
        return s == null || s.length <= d ? 0 : s[d] - base;
    }

    private static boolean movedByOthers(Map<String, Map<String, long[]>> moved, String p, String key, int d, long base) {
        for (Map.Entry<String, Map<String, long[]>> e : moved.entrySet()) {
            if (!e.getKey().equals(p) && delta(e.getValue(), key, d, base) != 0) {
                return true;
            }
        }
        return false;
    }

    /** The state-dict shapes of the spec built with {@code params}, or null if it cannot be built with them. */
    private static @Nullable Map<String, long[]> shapes(Spec spec, Map<String, Object> params) {
        try (CompressionModel model = Tinify.build(spec, params)) {
            Map<String, long[]> out = new LinkedHashMap<>();
            model.stateDict().forEach((k, v) -> out.put(k, v.value().getShape().getShape()));
            return out;
        } catch (TinifyException e) {
            return null;
        }
    }
}
