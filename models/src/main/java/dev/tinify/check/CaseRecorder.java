package dev.tinify.check;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tinify.Tinify;
import dev.tinify.TinifyException;
import dev.tinify.dsl.Spec;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.coding.RansCoder;
import dev.tinify.runtime.container.AtomicFiles;
import dev.tinify.runtime.entropy.EntropyModel;
import dev.tinify.runtime.model.CompressionModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * Records a golden case of any spec in the layout of CompressAI's fixtures, so that
 * {@code tinify check} and {@link GoldenCases} check it exactly as they check CompressAI's: the
 * model's state dict, a seeded input, {@code y}, every likelihood, {@code x_hat}, every rANS call's
 * symbols and indexes, the strings, the decompressed {@code x_hat} and the decision margins of each
 * phase ({@link MarginWatch}). The case carries the spec's
 * YAML text and parameters, so it is checked against the spec as it was when recorded; a change to
 * the spec, to Tinify or to the native library that moves a number or a byte fails the check.
 */
public final class CaseRecorder {
    /** What {@code case.json} says of a recorded case in {@code recorded_by}. */
    static final String RECORDED_BY = "tinify check --record";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private CaseRecorder() {}

    /**
     * Records a case of {@code specOrName} into {@code dir} (created; it must not hold a case yet).
     *
     * @param params spec parameters overriding the defaults
     * @param weights a weights file (safetensors or PyTorch checkpoint), or null for the spec's
     *     initial parameters drawn with {@code seed}
     * @param seed seeds the input (and the initial parameters without weights)
     * @param height input height, a multiple of the model's stride
     * @param width input width, a multiple of the model's stride
     * @throws TinifyException naming what cannot be used
     */
    public static Path record(String specOrName, Map<String, ?> params, @Nullable Path weights, long seed, int height, int width,
            Path dir) {
        if (Files.exists(dir.resolve("case.json"))) {
            throw new TinifyException(dir + ": already holds a case (case.json); record into a new folder");
        }
        Spec spec = Tinify.spec(specOrName);
        String text = Tinify.specText(specOrName);
        if (weights == null) {
            Engine.getInstance().setRandomSeed((int) seed);
        }
        try (CompressionModel model = Tinify.build(spec, params)) {
            if (weights != null) {
                Tinify.load(model, weights);
            }
            model.update(weights == null);
            model.train(false);
            return write(model, spec, text, params, weights, seed, height, width, dir);
        } catch (IOException e) {
            throw new TinifyException(dir + ": cannot write the case: " + e.getMessage(), e);
        }
    }

    private static Path write(CompressionModel model, Spec spec, String text, Map<String, ?> params, @Nullable Path weights,
            long seed, int height, int width, Path dir) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, Object> compress = new LinkedHashMap<>();
        Map<String, Double> margins;
        Map<String, EntropyModel> models = ModelChecks.entropyModels("", model, new LinkedHashMap<>());
        try (NDManager m = model.manager().newSubManager()) {
            NDArray x = m.create(input(seed, height, width), new Shape(1, 3, height, width));
            tensors.put("x", tensor(x));
            CompressionModel.ForwardResult out = model.forward(x);
            tensors.put("y", tensor(out.y()));
            tensors.put("forward.x_hat", tensor(out.xHat()));
            out.likelihoods().forEach((k, v) -> tensors.put("forward.likelihoods." + k, tensor(v)));

            Map<String, RecordingCoder> coders = RecordingCoder.install(models, new RansCoder());
            CompressionModel.Compressed c;
            NDArray decompressed;
            try (MarginWatch watch = new MarginWatch(models)) {
                watch.phase("compress");
                c = model.compress(x);
                watch.phase("decompress");
                decompressed = model.decompress(m, c.strings(), c.shape());
                margins = watch.values();
            } finally {
                models.values().forEach(em -> em.setEntropyCoder(null));
            }
            List<Map<String, Object>> calls = new ArrayList<>();
            coders.forEach((path, coder) -> {
                for (RecordingCoder.Stream s : coder.encoded()) {
                    int index = calls.size();
                    tensors.put("compress.coder." + index + ".symbols", Tensor.ofInts(s.symbols(), s.symbols().length));
                    tensors.put("compress.coder." + index + ".indexes", Tensor.ofInts(s.indexes(), s.indexes().length));
                    Map<String, Object> call = new LinkedHashMap<>();
                    call.put("index", index);
                    call.put("entropy_model", path);
                    call.put("symbols", s.symbols().length);
                    call.put("bytes", s.bytes().length);
                    calls.add(call);
                }
            });
            List<List<String>> strings = new ArrayList<>();
            long total = 0;
            for (List<byte[]> stream : c.strings()) {
                List<String> batch = new ArrayList<>();
                for (byte[] b : stream) {
                    batch.add(Base64.getEncoder().encodeToString(b));
                    total += b.length;
                }
                strings.add(batch);
            }
            compress.put("strings", strings);
            compress.put("shape", c.shape());
            compress.put("total_bytes", total);
            compress.put("bpp", total * 8.0 / (height * width));
            compress.put("coder_calls", calls);
            tensors.put("decompress.x_hat", tensor(decompressed));
        }

        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("case", dir.getFileName().toString());
        meta.put("kind", "image-model");
        meta.put("recorded_by", RECORDED_BY);
        meta.put("registry_name", spec.name());
        meta.put("spec_yaml", text);
        meta.put("constructor_kwargs", params);
        meta.put("seed", seed);
        meta.put("weights", weights == null ? "initial parameters drawn with the seed" : weights.getFileName().toString());
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("shape", List.of(1, 3, height, width));
        input.put("recipe", "java.util.Random(seed).nextFloat() in [0, 1), row-major");
        meta.put("input", input);
        meta.put("compress", compress);
        Map<String, Object> marginsJson = new LinkedHashMap<>();
        marginsJson.put("values", margins);
        marginsJson.put("meaning", "as CompressAI's fixtures: " + MarginWatch.ROUND_HALF + " is the least |frac(v) - 0.5| over the"
                + " values v = x - mean rounded to symbols, " + MarginWatch.SCALE_TABLE + " the least |s - t| / t over the scales s"
                + " above the scale bound and the thresholds t choosing a CDF table; near 0, another machine's float32 may"
                + " legitimately pick the neighbouring symbol or index");
        meta.put("margins", marginsJson);
        Map<String, Object> shapes = new LinkedHashMap<>();
        tensors.forEach((k, t) -> shapes.put(k, Map.of("dtype", t.dtype().name(), "shape", t.shape())));
        meta.put("tensors", shapes);

        Files.createDirectories(dir);
        Map<String, Tensor> state = StateDicts.save(model, StateDicts.Precision.FULL);
        AtomicFiles.write(dir.resolve("state_dict.safetensors"), os -> SafeTensors.write(state, os));
        AtomicFiles.write(dir.resolve("tensors.safetensors"), os -> SafeTensors.write(tensors, os));
        AtomicFiles.write(dir.resolve("case.json"), (JSON.writeValueAsString(meta) + "\n").getBytes(StandardCharsets.UTF_8));
        return dir;
    }

    /** The seeded input: uniform values in [0, 1), row-major 1x3xHxW. */
    private static float[] input(long seed, int height, int width) {
        Random r = new Random(seed);
        float[] v = new float[3 * height * width];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextFloat();
        }
        return v;
    }

    private static Tensor tensor(NDArray a) {
        NDArray f = a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
        return StateDicts.toTensor(f, false);
    }
}
