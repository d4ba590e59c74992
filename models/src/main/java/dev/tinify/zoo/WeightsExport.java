package dev.tinify.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tinify.Tinify;
import dev.tinify.TinifyException;
import dev.tinify.dsl.Spec;
import dev.tinify.dsl.SpecHash;
import dev.tinify.dsl.SpecReader;
import dev.tinify.eval.ClassicCodecs;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.container.AtomicFiles;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.metrics.Psnr;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.train.Augmentation;
import dev.tinify.runtime.train.TrainingState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Turns a training checkpoint into zoo weights: the model file with its CDF tables computed
 * ({@code update(force=true)} after re-solving the quantiles), in half or full precision, and beside it a JSON record of how the
 * weights were made (spec, parameters, lambda, steps, batch, patch, seed, learning rates, data,
 * the end of the training log, the warm start, the precision decision and the file size).
 *
 * <p>Precision {@link Precision#AUTO} writes the trainable parameters as fp16 when that changes the
 * PSNR of every check image by less than {@value #FP16_MAX_PSNR_CHANGE_DB} dB, else fp32. The
 * PSNR is measured as the codec sees an image: padded to the model's stride, an evaluation-mode
 * forward pass, the output cropped and rounded to 8 bits.
 */
public final class WeightsExport {
    /** Largest PSNR change (dB) on any check image for which {@link Precision#AUTO} chooses fp16. */
    public static final double FP16_MAX_PSNR_CHANGE_DB = 0.01;
    /** Logged training steps averaged for the metadata's final training loss, bpp and PSNR. */
    public static final int LAST_STEPS = 50;

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /** How the parameters are stored. */
    public enum Precision {
        /** fp16 if the check images allow it, else fp32. */
        AUTO,
        FP32,
        FP16;

        /** {@code auto}, {@code fp32} or {@code fp16}. */
        public static Precision parse(String s) {
            for (Precision p : values()) {
                if (p.name().equalsIgnoreCase(s.trim())) {
                    return p;
                }
            }
            throw new IllegalArgumentException("precision '" + s + "': expected auto, fp32 or fp16");
        }
    }

    /** PSNR (dB) of one check image decoded with fp32 and with fp16 parameters. */
    public record Check(String image, double psnrFp32, double psnrFp16) {
        /** Absolute PSNR change of fp16 against fp32. */
        public double change() {
            return Math.abs(psnrFp16 - psnrFp32);
        }
    }

    /**
     * What {@link #export} wrote.
     *
     * @param weights the safetensors file
     * @param metadata the JSON beside it
     * @param half whether the parameters were written as fp16
     * @param reason why that precision, in words
     * @param checks the check images' PSNRs
     * @param bytes size of the weights file
     */
    public record Result(Path weights, Path metadata, boolean half, String reason, List<Check> checks, long bytes) {}

    private WeightsExport() {}

    /**
     * The checkpoint JSON of {@code run}: the run folder's {@code latest.json}, or the file itself.
     *
     * @throws TinifyException if {@code run} is a folder without {@code latest.json} or does not exist
     */
    public static Path checkpointJson(Path run) {
        if (Files.isDirectory(run)) {
            Path latest = run.resolve("latest.json");
            if (!Files.isRegularFile(latest)) {
                throw new TinifyException(run + ": no latest.json, so not a training run folder (tinify train --out DIR writes one)");
            }
            return latest;
        }
        if (!Files.isRegularFile(run)) {
            throw new TinifyException(run + ": no such run folder or checkpoint JSON");
        }
        return run;
    }

    /** The metadata file written beside {@code weights}: its name without the extension, plus {@code .json}. */
    public static Path metadataPath(Path weights) {
        String name = weights.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return weights.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".json");
    }

    /**
     * Exports the checkpoint of {@code run} (a run folder or checkpoint JSON) to {@code out}
     * ({@code .safetensors}) and its metadata, both written atomically.
     *
     * @param specOrName the spec to build, or null for the spec the checkpoint records (its text;
     *     in checkpoints older than that, the bundled spec it names)
     * @param checkImages images or folders of images for the precision check (may be empty: AUTO then writes fp32)
     * @throws TinifyException naming the run, spec, image or output that cannot be used
     */
    public static Result export(Path run, @Nullable String specOrName, Path out, Precision precision, List<Path> checkImages)
            throws IOException {
        if (!out.getFileName().toString().endsWith(".safetensors")) {
            throw new TinifyException(out + ": the weights file must end in .safetensors (its metadata goes beside it as .json)");
        }
        Path json = checkpointJson(run);
        TrainingState state = TrainingState.read(json);
        Map<String, Number> params = integral(state.params());
        Spec spec = trainedSpec(json, state, specOrName, params);
        Path modelFile = state.modelPath(json);
        List<RgbImage> images = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path p : expand(checkImages)) {
            images.add(ImageFiles.read(p));
            names.add(p.getFileName().toString());
        }

        Map<String, SafeTensors.Tensor> full;
        Map<String, SafeTensors.Tensor> half;
        List<Check> checks = new ArrayList<>();
        double auxBefore;
        double auxAfter;
        try (CompressionModel model = Tinify.build(spec, params); CompressionModel halved = Tinify.build(spec, params)) {
            Tinify.load(model, modelFile);
            // The quantiles are re-solved (the auxiliary loss's minimum) before the tables are built:
            // a short run leaves them behind the density, and they set each channel's coded range.
            auxBefore = auxLoss(model);
            model.update(true, true);
            auxAfter = auxLoss(model);
            full = StateDicts.save(model, StateDicts.Precision.FULL);
            half = StateDicts.save(model, StateDicts.Precision.HALF_PARAMETERS);
            halved.load(half);
            model.train(false);
            halved.train(false);
            for (int i = 0; i < images.size(); i++) {
                checks.add(new Check(names.get(i), psnr(model, images.get(i)), psnr(halved, images.get(i))));
            }
        }
        double worst = checks.stream().mapToDouble(Check::change).max().orElse(Double.NaN);
        boolean useHalf;
        String reason;
        switch (precision) {
            case FP32 -> {
                useHalf = false;
                reason = "fp32 requested";
            }
            case FP16 -> {
                useHalf = true;
                reason = "fp16 requested";
            }
            default -> {
                useHalf = !checks.isEmpty() && worst < FP16_MAX_PSNR_CHANGE_DB;
                reason = checks.isEmpty() ? "no check images, so fp32"
                        : String.format(Locale.ROOT, "largest PSNR change of fp16 %.5f dB %s %s dB", worst, useHalf ? "<" : ">=",
                                FP16_MAX_PSNR_CHANGE_DB);
            }
        }
        Map<String, SafeTensors.Tensor> chosen = useHalf ? half : full;
        AtomicFiles.write(out, os -> SafeTensors.write(chosen, os));
        long bytes = Files.size(out);

        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("spec", state.spec());
        meta.put("spec_hash", SpecHash.of(spec, params));
        meta.put("quality", state.quality());
        meta.put("metric", state.metric());
        meta.put("params", params);
        meta.put("lambda", state.lambda());
        meta.put("step", state.step());
        meta.put("batch", state.batch());
        meta.put("patch", state.patch());
        meta.put("seed", state.seed());
        meta.put("augment", Augmentation.ids(state.augmentations()));
        Map<String, Object> rates = new LinkedHashMap<>();
        rates.put("net", state.netLr());
        rates.put("aux", state.auxLr());
        meta.put("learning_rate", rates);
        meta.put("data", state.trainDir());
        meta.put("checkpoint", runRelative(modelFile.toString()));
        Path log = json.toAbsolutePath().getParent().resolve("train.jsonl");
        if (Files.isRegularFile(log)) {
            readLog(log, state.step(), meta);
        }
        Map<String, Object> quantiles = new LinkedHashMap<>();
        quantiles.put("aux_loss_trained", auxBefore);
        quantiles.put("aux_loss_exported", auxAfter);
        meta.put("quantiles", quantiles);
        Map<String, Object> prec = new LinkedHashMap<>();
        prec.put("precision", useHalf ? "fp16" : "fp32");
        prec.put("requested", precision.name().toLowerCase(Locale.ROOT));
        prec.put("reason", reason);
        prec.put("threshold_db", FP16_MAX_PSNR_CHANGE_DB);
        prec.put("max_psnr_change_db", checks.isEmpty() ? null : worst);
        List<Map<String, Object>> per = new ArrayList<>();
        for (Check c : checks) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("image", c.image());
            m.put("psnr_fp32", c.psnrFp32());
            m.put("psnr_fp16", c.psnrFp16());
            per.add(m);
        }
        prec.put("check", per);
        meta.put("weights", prec);
        meta.put("bytes", bytes);
        Path metadata = metadataPath(out);
        AtomicFiles.write(metadata, (JSON.writeValueAsString(meta) + "\n").getBytes(StandardCharsets.UTF_8));
        return new Result(out, metadata, useHalf, reason, List.copyOf(checks), bytes);
    }

    /** Image files as given, folders replaced by their images. */
    private static List<Path> expand(List<Path> paths) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                out.addAll(ClassicCodecs.imagesIn(p));
            } else if (Files.isRegularFile(p)) {
                out.add(p);
            } else {
                throw new TinifyException(p + ": no such check image or folder");
            }
        }
        return out;
    }

    /**
     * The spec a checkpoint was trained with: {@code specOrName} if given, else the text the
     * checkpoint records, else (older checkpoints) the bundled spec of the recorded name; never a
     * file the checkpoint names. When the checkpoint records the spec hash, the spec must have it.
     */
    private static Spec trainedSpec(Path json, TrainingState state, @Nullable String specOrName, Map<String, Number> params) {
        Spec spec;
        if (specOrName != null) {
            spec = Tinify.spec(specOrName);
        } else if (state.specText() != null) {
            spec = SpecReader.read(json + " (its recorded spec)", state.specText());
        } else {
            try {
                spec = Tinify.bundledSpec(state.spec());
            } catch (TinifyException e) {
                throw new TinifyException(json + " records no spec text and " + e.getMessage() + "; give the spec it was trained with (-m FILE.yaml)", e);
            }
        }
        if (!spec.name().equals(state.spec())) {
            throw new TinifyException(json + " was trained with " + state.spec() + ", but the spec given is " + spec.name());
        }
        if (state.specHash() != null && !state.specHash().equals(SpecHash.of(spec, params))) {
            throw new TinifyException(json + " was trained with another version of " + state.spec() + " (spec hash "
                    + state.specHash().substring(0, 12) + ", the spec given has " + SpecHash.of(spec, params).substring(0, 12)
                    + "); export with the spec it was trained with, or without -m to use the one the checkpoint records");
        }
        return spec;
    }

    /** Integers as integers: checkpoints written before parameters kept their types hold 32 as 32.0. */
    private static Map<String, Number> integral(Map<String, Number> params) {
        Map<String, Number> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, v instanceof Double d && d == Math.rint(d) && Math.abs(d) < Integer.MAX_VALUE
                ? (Number) d.intValue() : v));
        return out;
    }

    /** PSNR of the padded image's evaluation-mode reconstruction, cropped, against the image (8-bit rounded). */
    private static double psnr(CompressionModel model, RgbImage image) {
        Padding pad = Padding.forStride(image.height(), image.width(), model.downsamplingFactor());
        try (NDManager m = NDManager.newBaseManager()) {
            CompressionModel.ForwardResult r = model.forward(image.pad(pad).toNDArray(m));
            return Psnr.of(image, RgbImage.fromNDArray(r.xHat()).crop(pad));
        }
    }

    /**
     * Adds the mean loss, bpp and PSNR of the last {@value #LAST_STEPS} logged steps up to
     * {@code step} ({@code final_train_last50}) and the run's warm start ({@code init}) from its
     * JSON-lines log. A resumed run logs the steps after its checkpoint again: the later lines count.
     */
    private static void readLog(Path log, long step, Map<String, Object> meta) throws IOException {
        TreeMap<Long, JsonNode> steps = new TreeMap<>();
        JsonNode init = null;
        int lineNo = 0;
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode o;
            try {
                o = JSON.readTree(line);
            } catch (IOException e) {
                throw new TinifyException(log + ":" + lineNo + ": not a JSON line: " + e.getMessage(), e);
            }
            String event = o.path("event").asText();
            if (event.equals("step") && o.path("step").asLong() <= step) {
                steps.put(o.path("step").asLong(), o);
            } else if (event.equals("init")) {
                init = o;
            }
        }
        if (!steps.isEmpty()) {
            List<JsonNode> tail = new ArrayList<>(steps.descendingMap().values()).subList(0, Math.min(LAST_STEPS, steps.size()));
            Map<String, Object> last = new LinkedHashMap<>();
            last.put("steps", tail.size());
            last.put("first_step", tail.get(tail.size() - 1).path("step").asLong());
            last.put("last_step", tail.get(0).path("step").asLong());
            for (String k : List.of("loss", "bpp", "psnr")) {
                last.put(k, tail.stream().mapToDouble(n -> n.path(k).asDouble()).average().orElse(Double.NaN));
            }
            meta.put("final_train_last50", last);
        }
        if (init != null) {
            Map<String, Object> m = new LinkedHashMap<>();
            List<String> files = new ArrayList<>();
            init.path("files").forEach(f -> files.add(runRelative(f.asText())));
            m.put("files", files);
            m.put("taken", init.path("taken").asInt());
            m.put("of", init.path("of").asInt());
            meta.put("init", m);
        }
    }

    /**
     * A run's file as {@code <run folder>/<file>} (a run folder as {@code <parent>/<run>}): the
     * absolute path of the training machine means nothing where the weights are used.
     */
    static String runRelative(String path) {
        Path p = Path.of(path);
        int n = p.getNameCount();
        return n < 2 ? path : p.subpath(n - 2, n).toString();
    }

    private static double auxLoss(CompressionModel model) {
        try (NDArray a = model.auxLoss()) {
            return a.getFloat();
        }
    }
}
