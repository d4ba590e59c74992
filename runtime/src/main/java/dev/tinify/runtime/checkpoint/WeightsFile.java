package dev.tinify.runtime.checkpoint;

import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.nn.Param;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A weights file of either kind, told apart by its content, never its name: a safetensors state
 * dict, or a PyTorch checkpoint ({@link PyTorchCheckpoint}: {@code .pth.tar}, zip or legacy, a bare
 * state dict or a training checkpoint). {@link #fit} then makes a stored state dict fit a module as
 * CompressAI's loader does.
 */
public final class WeightsFile {
    private WeightsFile() {}

    /** A state dict fitted to a module, and the tables that were empty in the file and must be computed. */
    public record Fitted(Map<String, Tensor> stateDict, List<String> emptyTables) {
        /** Whether the file was saved before {@code update()}: its CDF tables must be computed after loading. */
        public boolean needsUpdate() {
            return !emptyTables.isEmpty();
        }
    }

    /**
     * Reads the state dict of {@code file}, whichever of the two formats it is in: the first bytes
     * decide, then a safetensors file is mapped tensor by tensor ({@link SafeTensors#read(Path)}:
     * any size, no array as large as the file) and a checkpoint is read by
     * {@link PyTorchCheckpoint#read(Path)}.
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": " + (Files.isDirectory(file) ? "is a directory" : Files.exists(file) ? "is not a regular file"
                    : "no such file") + "; expected a weights file (safetensors or PyTorch checkpoint)");
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(4);
        }
        return PyTorchCheckpoint.sniff(head) ? PyTorchCheckpoint.read(file) : SafeTensors.read(file);
    }

    /**
     * {@code stored} made to fit {@code module}: keys renamed as CompressAI's loader does
     * ({@link CompressAiKeys}), and every table whose size is decided at {@code update()} time
     * ({@link StateDicts#RESIZED_ON_LOAD}) that the file holds empty (a training checkpoint saved
     * before {@code update()}) replaced by the module's own current value, listed in
     * {@link Fitted#emptyTables()}; the caller then recomputes the tables.
     */
    public static Fitted fit(Map<String, Tensor> stored, Module module) {
        Map<String, Param> state = module.stateDict();
        Map<String, Tensor> renamed = CompressAiKeys.rename(stored, state::containsKey);
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<String> empty = new ArrayList<>();
        renamed.forEach((key, t) -> {
            Param p = state.get(key);
            if (p != null && t.elements() == 0 && StateDicts.RESIZED_ON_LOAD.contains(key.substring(key.lastIndexOf('.') + 1))) {
                empty.add(key);
                out.put(key, StateDicts.toTensor(p.value(), false));
            } else {
                out.put(key, t);
            }
        });
        return new Fitted(out, List.copyOf(empty));
    }
}
