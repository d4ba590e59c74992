package dev.tinify.runtime.train;

import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.entropy.EntropyBottleneck;
import dev.tinify.runtime.model.TrainableModel;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.nn.Param;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Starts a fresh run from model weights instead of the initial parameters: used to fine-tune one
 * quality from another, or to start an architecture from a related one (mbt2018-mean from
 * bmshj2018-hyperprior). Every state-dict entry that matches the model in name and shape is taken
 * ({@link StateDicts#loadMatching}), later files winning where several have a fitting one; the rest keep
 * their fresh initialization. The entropy tables are never taken but rebuilt
 * ({@code update(force=true)}) from the parameters the model ends up with. A training run folder
 * or checkpoint JSON stands for its model file. With {@code grow} a wider model starts from a
 * narrower one ({@link Growth}).
 */
public final class WarmStart {
    /**
     * What a warm start took.
     *
     * @param files the weight files, in the order given (a run's model file for a run folder or checkpoint JSON)
     * @param taken keys taken, in state-dict order
     * @param grown those of {@code taken} that were smaller and fill the leading block ({@code grow})
     * @param total entries in the model's state dict
     */
    public record Result(List<Path> files, List<String> taken, List<String> grown, int total) {
        public Result {
            files = List.copyOf(files);
            taken = List.copyOf(taken);
            grown = List.copyOf(grown);
        }
    }

    private WarmStart() {}

    /**
     * Loads the matching entries of {@code files} into {@code model} (before a {@link Trainer} is
     * made for it) and rebuilds the entropy tables.
     *
     * @throws IllegalArgumentException naming the file that is missing, is not safetensors, or
     *     has no trainable parameter of the model in name and shape; the model is then unchanged
     */
    public static <M extends Module & TrainableModel> Result apply(M model, List<Path> files) {
        return apply(model, files, false);
    }

    /**
     * {@link #apply(Module, List)}; with {@code grow}, entries smaller than the model's in some
     * dimensions are taken too and fill the leading block ({@link Growth}: a wider model started
     * from a narrower one computes what it did).
     */
    public static <M extends Module & TrainableModel> Result apply(M model, List<Path> files, boolean grow) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no weight files to start from");
        }
        Map<String, Param> state = model.stateDict();
        Map<String, SafeTensors.Tensor> merged = new LinkedHashMap<>();
        List<Path> used = new ArrayList<>();
        for (Path given : files) {
            Path f = modelFile(given);
            used.add(f);
            Map<String, SafeTensors.Tensor> tensors = withOtherNaming(read(f), state.keySet());
            Map<String, SafeTensors.Tensor> matching = new LinkedHashMap<>(StateDicts.matching(model, tensors));
            if (grow) {
                matching.putAll(Growth.smaller(model, tensors));
            }
            if (matching.keySet().stream().noneMatch(k -> state.get(k).trainable())) {
                throw new IllegalArgumentException("no parameter of " + model.name() + " " + model.params() + " matches " + f
                        + " in name and shape (" + tensors.size() + " tensors"
                        + (tensors.isEmpty() ? "" : ", e.g. " + tensors.keySet().iterator().next())
                        + "); check the architecture and --set sizes" + (grow ? "" : ", or --grow for a wider model"));
            }
            // Only matching entries override: a later file's misshapen tensor must not hide an earlier file's fitting one.
            merged.putAll(matching);
        }
        List<String> taken = state.keySet().stream().filter(merged::containsKey).toList();
        // Each entry either matches exactly or, with grow, is smaller: split once by shape.
        Map<String, SafeTensors.Tensor> smaller = new LinkedHashMap<>(merged);
        smaller.keySet().removeIf(k -> Arrays.equals(merged.get(k).shape(), state.get(k).value().getShape().getShape()));
        merged.keySet().removeAll(smaller.keySet());
        List<String> grown = Growth.apply(model, smaller);
        StateDicts.loadMatching(model, merged);
        model.update(true);
        return new Result(used, taken, grown, state.size());
    }

    /**
     * {@code tensors} plus each entropy-bottleneck density parameter under the model's naming when
     * the file uses the other one (a variable-rate model started from a fixed-rate one).
     */
    private static Map<String, SafeTensors.Tensor> withOtherNaming(Map<String, SafeTensors.Tensor> tensors, Set<String> modelKeys) {
        Map<String, SafeTensors.Tensor> out = new LinkedHashMap<>(tensors);
        tensors.forEach((k, v) -> {
            String other = EntropyBottleneck.otherNaming(k);
            if (other != null && modelKeys.contains(other) && !tensors.containsKey(other)) {
                out.put(other, v);
            }
        });
        return out;
    }

    /** {@code p}, or the model file of a run folder (its {@code latest.json}) or checkpoint JSON. */
    private static Path modelFile(Path p) {
        Path json = Files.isDirectory(p) ? p.resolve("latest.json") : p.getFileName().toString().endsWith(".json") ? p : null;
        if (json == null) {
            return p;
        }
        if (!Files.isRegularFile(json)) {
            throw new IllegalArgumentException(Files.isDirectory(p) ? p + ": no latest.json, so not a training run folder"
                    : p + ": no such checkpoint JSON");
        }
        try {
            return TrainingState.read(json).modelPath(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static Map<String, SafeTensors.Tensor> read(Path f) {
        if (!Files.isRegularFile(f)) {
            throw new IllegalArgumentException(f + ": no such weight file (expected a safetensors state dict)");
        }
        try {
            return SafeTensors.read(f);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(f + ": no such weight file (expected a safetensors state dict)", e);
        } catch (IOException e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new IllegalArgumentException(m.startsWith(f.toString()) ? m : f + ": " + m, e);
        }
    }
}
