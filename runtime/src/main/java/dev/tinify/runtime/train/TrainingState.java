package dev.tinify.runtime.train;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The JSON part of a checkpoint: everything besides the tensors needed to continue a run exactly.
 * The tensors are in two safetensors files beside it: {@code modelFile} (the model's state dict
 * with CompressAI's names, loadable on its own) and {@code optimizerFile} (the Adam moments and
 * per-parameter step counts, named {@code net.exp_avg.<param>}, {@code aux.exp_avg_sq.<param>},
 * {@code net.step.<param>}, ...; a file without the counts gives each parameter its group's).
 *
 * @param format version of this layout
 * @param spec architecture name
 * @param params the model's resolved numeric parameters, integers as integers (checkpoints written
 *     before they kept their types hold every value as a double)
 * @param metric {@code mse} or {@code ms-ssim}
 * @param lambda rate-distortion trade-off
 * @param quality zoo quality of the lambda (0 if given directly)
 * @param step optimizer steps done
 * @param seed the run's seed; with {@code step} it fixes the next patches and noise
 * @param batch images per step
 * @param patch patch side
 * @param netLr current net learning rate
 * @param auxLr aux learning rate
 * @param netSteps steps of the net optimizer
 * @param auxSteps steps of the aux optimizer
 * @param plateauBest best loss the plateau schedule has seen (null before the first)
 * @param plateauBad evaluations since that best
 * @param windowLoss sum of training losses since the last validation
 * @param windowSteps number of steps in {@code windowLoss}
 * @param modelFile model safetensors, relative to this file
 * @param optimizerFile optimizer safetensors, relative to this file
 * @param trainDir folder of the training images (null in checkpoints written before it was recorded)
 * @param schedule the run's validation, checkpoint and plateau settings (null in checkpoints
 *     written before they were recorded)
 * @param specText the spec trained, as its canonical text ({@code SpecWriter}), so that a run of
 *     a spec that is not bundled exports without the spec file (null in older checkpoints)
 * @param specHash {@code SpecHash} of that spec at {@code params} (null in older checkpoints)
 * @param augment the ids of the run's {@link Augmentation}s (null in checkpoints written before
 *     they were recorded: those runs flipped their patches, {@link Augmentation#DEFAULT})
 */
public record TrainingState(int format, String spec, Map<String, Number> params, String metric, double lambda, int quality, long step,
                            long seed, int batch, int patch, double netLr, double auxLr, long netSteps, long auxSteps,
                            @Nullable Double plateauBest, int plateauBad, double windowLoss,
                            long windowSteps, String modelFile, String optimizerFile,
                            @Nullable String trainDir, @Nullable Schedule schedule, @Nullable String specText,
                            @Nullable String specHash, @Nullable List<String> augment) {
    /**
     * Settings that shape the rest of a run without being part of the model or its data: a resumed
     * run keeps them unless the command line replaces them.
     *
     * @param validateEvery steps between validations
     * @param checkpointEvery steps between checkpoints
     * @param patience validations without improvement before the rate is reduced
     * @param plateauFactor learning-rate factor on a plateau
     * @param clipNorm gradient-norm bound (0: none)
     * @param valDir folder of validation images, or null
     */
    public record Schedule(int validateEvery, int checkpointEvery, int patience, double plateauFactor, double clipNorm,
                           @Nullable String valDir) {}

    /** The layout written by this version. */
    public static final int FORMAT = 1;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The state as JSON text. */
    public byte[] toJson() throws IOException {
        return JSON.writeValueAsBytes(this);
    }

    /** The state file of a checkpoint given as its JSON or as a run folder (its {@code latest.json}). */
    public static Path file(Path checkpoint) {
        return Files.isDirectory(checkpoint) ? checkpoint.resolve("latest.json") : checkpoint;
    }

    /**
     * Reads a checkpoint's JSON state.
     *
     * @throws IOException if the file cannot be read or is not a training state of a known format
     */
    public static TrainingState read(Path file) throws IOException {
        TrainingState s;
        try {
            s = JSON.readValue(Files.readAllBytes(file), TrainingState.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // Jackson's own message spans lines (the source and location): one line, with the location first.
            var at = e.getLocation();
            String where = at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr();
            throw new IOException(file + where + ": not a training checkpoint: "
                    + String.valueOf(e.getOriginalMessage()).replaceAll("\\p{Cntrl}", " "), e);
        } catch (IOException e) {
            throw new IOException(file + ": not a training checkpoint: " + e.getMessage(), e);
        }
        if (s.format() != FORMAT) {
            throw new IOException(file + ": checkpoint format " + s.format() + ", this version reads " + FORMAT);
        }
        plainName(file, "modelFile", s.modelFile());
        plainName(file, "optimizerFile", s.optimizerFile());
        return s;
    }

    /**
     * The run's augmentations.
     *
     * @throws IllegalArgumentException if the checkpoint names an unknown one
     */
    public Set<Augmentation> augmentations() {
        return augment == null ? Augmentation.DEFAULT : Augmentation.parse(augment);
    }

    /** The model safetensors of the checkpoint whose JSON is {@code json}: beside it. */
    public Path modelPath(Path json) {
        return json.toAbsolutePath().resolveSibling(modelFile);
    }

    /** The optimizer safetensors of the checkpoint whose JSON is {@code json}: beside it. */
    public Path optimizerPath(Path json) {
        return json.toAbsolutePath().resolveSibling(optimizerFile);
    }

    /**
     * A tensor file a checkpoint names must be a plain file name, read from the checkpoint's own
     * folder: a checkpoint never makes the program read a file elsewhere.
     */
    private static void plainName(Path file, String field, @Nullable String name) throws IOException {
        if (name == null || name.isEmpty() || name.equals(".") || name.equals("..") || name.length() > 255
                || name.chars().anyMatch(c -> c == '/' || c == '\\' || c == ':' || Character.isISOControl(c))) {
            throw new IOException(file + ": " + field + (name == null ? " is missing" : " is not a plain file name")
                    + "; expected the name of a file beside the checkpoint (as checkpoint-00001000.safetensors)");
        }
    }
}
