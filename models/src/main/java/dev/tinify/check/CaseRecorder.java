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
import dev.tinify.runtime.pointcloud.Neighbourhoods;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
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
        return record(specOrName, params, weights, seed, new Shape(1, 3, height, width), dir);
    }

    /**
     * Records a case of a point-cloud spec ({@code input: points}) into {@code dir}, as
     * {@link #record(String, Map, Path, long, int, int, Path)} does for images: the input is
     * {@code [1, points, 3]}, and every farthest-point-sampling, kNN and ball-query call of each
     * phase is recorded with its indices, as CompressAI's point-cloud fixtures list them.
     *
     * @param points the number of input points the model takes
     */
    public static Path recordPoints(String specOrName, Map<String, ?> params, @Nullable Path weights, long seed, int points,
            Path dir) {
        return record(specOrName, params, weights, seed, new Shape(1, points, 3), dir);
    }

    private static Path record(String specOrName, Map<String, ?> params, @Nullable Path weights, long seed, Shape input,
            Path dir) {
        if (Files.exists(dir.resolve("case.json"))) {
            throw new TinifyException(dir + ": already holds a case (case.json); record into a new folder");
        }
        Spec spec = Tinify.spec(specOrName);
        String text = Tinify.specText(specOrName);
        boolean points = input.dimension() == 3;
        if (points != (spec.input() == Spec.Input.POINTS)) {
            throw new TinifyException(specOrName + ": " + (points ? "codes images: record it with an image size"
                    : "codes point clouds: record it with a number of points"));
        }
        if (weights == null) {
            Engine.getInstance().setRandomSeed((int) seed);
        }
        try (CompressionModel model = Tinify.build(spec, params)) {
            if (weights != null) {
                Tinify.load(model, weights);
            }
            model.update(weights == null);
            model.train(false);
            return write(model, spec, text, params, weights, seed, input, dir);
        } catch (IOException e) {
            throw new TinifyException(dir + ": cannot write the case: " + e.getMessage(), e);
        }
    }

    private static Path write(CompressionModel model, Spec spec, String text, Map<String, ?> params, @Nullable Path weights,
            long seed, Shape input, Path dir) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, Object> compress = new LinkedHashMap<>();
        Map<String, Double> margins;
        Map<String, EntropyModel> models = ModelChecks.entropyModels("", model, new LinkedHashMap<>());
        boolean points = spec.input() == Spec.Input.POINTS;
        List<Map<String, Object>> neighbourhoodCalls = new ArrayList<>();
        try (NDManager m = model.manager().newSubManager()) {
            NDArray x = m.create(input(seed, input, points), input);
            tensors.put("x", tensor(x));
            CompressionModel.ForwardResult out;
            try (Neighbourhoods.Listening phase = neighbourhoods("forward", tensors, neighbourhoodCalls)) {
                out = model.forward(x);
            }
            tensors.put("y", tensor(out.y()));
            tensors.put("forward.x_hat", tensor(out.xHat()));
            out.likelihoods().forEach((k, v) -> tensors.put("forward.likelihoods." + k, tensor(v)));

            Map<String, RecordingCoder> coders = RecordingCoder.install(models, new RansCoder());
            CompressionModel.Compressed c;
            NDArray decompressed;
            try (MarginWatch watch = new MarginWatch(models)) {
                watch.phase("compress");
                try (Neighbourhoods.Listening phase = neighbourhoods("compress", tensors, neighbourhoodCalls)) {
                    c = model.compress(x);
                }
                watch.phase("decompress");
                try (Neighbourhoods.Listening phase = neighbourhoods("decompress", tensors, neighbourhoodCalls)) {
                    decompressed = model.decompress(m, c.strings(), c.shape());
                }
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
            long pixelsOrPoints = points ? input.get(1) : input.get(2) * input.get(3);
            compress.put(points ? "bits_per_point" : "bpp", total * 8.0 / pixelsOrPoints);
            compress.put("coder_calls", calls);
            tensors.put("decompress.x_hat", tensor(decompressed));
        }

        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("case", dir.getFileName().toString());
        meta.put("kind", points ? "pointcloud-model" : "image-model");
        meta.put("recorded_by", RECORDED_BY);
        meta.put("registry_name", spec.name());
        meta.put("spec_yaml", text);
        meta.put("constructor_kwargs", params);
        meta.put("seed", seed);
        meta.put("weights", weights == null ? "initial parameters drawn with the seed" : weights.getFileName().toString());
        Map<String, Object> inputMeta = new LinkedHashMap<>();
        inputMeta.put("shape", input.getShape().clone());
        inputMeta.put("recipe", points ? "java.util.Random(seed): 2 * nextFloat() - 1 per coordinate, points first, xyz last"
                : "java.util.Random(seed).nextFloat() in [0, 1), row-major");
        meta.put("input", inputMeta);
        if (points) {
            meta.put("neighbourhood_calls", neighbourhoodCalls);
        }
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

    /** The seeded input: uniform values in [0, 1) for an image, coordinates in [-1, 1) for a point cloud; row-major. */
    private static float[] input(long seed, Shape shape, boolean points) {
        Random r = new Random(seed);
        float[] v = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = points ? 2 * r.nextFloat() - 1 : r.nextFloat();
        }
        return v;
    }

    /**
     * Records this thread's neighbourhood calls of one phase until closed: the indices of the k-th
     * call of an operation as {@code <phase>.<op>.<k>.idx}, and the call in {@code calls}.
     */
    private static Neighbourhoods.Listening neighbourhoods(String phase, Map<String, Tensor> tensors, List<Map<String, Object>> calls) {
        Map<Neighbourhoods.Operation, Integer> counts = new EnumMap<>(Neighbourhoods.Operation.class);
        return Neighbourhoods.listen((op, indices) -> {
            int k = counts.getOrDefault(op, 0);
            counts.put(op, k + 1);
            String name = phase + "." + op.word() + "." + k;
            tensors.put(name + ".idx", Tensor.ofInts(indices, indices.length));
            Map<String, Object> call = new LinkedHashMap<>();
            call.put("name", name);
            call.put("tensors", List.of(name + ".idx"));
            calls.add(call);
        });
    }

    private static Tensor tensor(NDArray a) {
        NDArray f = a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
        return StateDicts.toTensor(f, false);
    }
}
