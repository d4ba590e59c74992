package dev.tinify.eval;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tinify.runtime.container.AtomicFiles;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.metrics.Bpp;
import dev.tinify.runtime.metrics.MsSsim;
import dev.tinify.runtime.metrics.Psnr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rate-distortion result set in CompressAI's JSON schema, as {@code eval_model} and
 * {@code bench} write it:
 * <pre>{"name": .., "description": .., "results": {"psnr-rgb": [..], "ms-ssim-rgb": [..], "bpp": [..],
 *   "encoding_time": [..], "decoding_time": [..]}}</pre>
 * one list entry per setting (quality), each the mean over images. Two optional keys that
 * CompressAI's tools ignore are added: {@code settings} (labels such as {@code q=5}) and
 * {@code per_image} (per setting, a list of per-image objects with {@code image}, {@code bytes}
 * and the same metric keys). MS-SSIM is stored as the plain value in [0, 1]; times in seconds.
 *
 * @param name codec or model name
 * @param description free text (CompressAI writes e.g. "Inference (ans)")
 * @param points one entry per setting
 */
public record ResultFile(String name, String description, List<Point> points) {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            // Python's json reads bare NaN / Infinity; quoted ones would become strings there.
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    public ResultFile {
        points = List.copyOf(points);
    }

    /**
     * One setting's averages (NaN where a value was not measured).
     *
     * @param setting label such as {@code q=5}, or empty
     * @param perImage per-image results, empty if not recorded
     */
    public record Point(String setting, double bpp, double psnr, double msSsim, double encodingTime, double decodingTime,
            List<ImageResult> perImage) {
        public Point {
            perImage = List.copyOf(perImage);
        }

        /** The mean of per-image results, as CompressAI averages over a data set. */
        public static Point mean(String setting, List<ImageResult> images) {
            if (images.isEmpty()) {
                throw new IllegalArgumentException("no image results for setting " + setting);
            }
            double[] s = new double[5];
            for (ImageResult r : images) {
                s[0] += r.bpp();
                s[1] += r.psnr();
                s[2] += r.msSsim();
                s[3] += r.encodingTime();
                s[4] += r.decodingTime();
            }
            int n = images.size();
            return new Point(setting, s[0] / n, s[1] / n, s[2] / n, s[3] / n, s[4] / n, images);
        }
    }

    /** One image at one setting. */
    public record ImageResult(String image, long bytes, double bpp, double psnr, double msSsim, double encodingTime,
            double decodingTime) {
        /**
         * Measures a decoded image against its source as CompressAI's evaluation does: bpp of
         * {@code bytes} over the source's pixels, PSNR and MS-SSIM on 8-bit-rounded RGB. MS-SSIM is
         * NaN when a side is 160 pixels or less (too small for five scales).
         *
         * @throws IllegalArgumentException if the sizes differ
         */
        public static ImageResult measure(String image, RgbImage source, RgbImage decoded, long bytes, double encodingTime,
                double decodingTime) {
            if (source.height() != decoded.height() || source.width() != decoded.width()) {
                throw new IllegalArgumentException(image + ": decoded to " + decoded.height() + "x" + decoded.width()
                        + ", expected " + source.height() + "x" + source.width());
            }
            double msssim = Math.min(source.height(), source.width()) > 160 ? MsSsim.of(source, decoded) : Double.NaN;
            return new ImageResult(image, bytes, Bpp.of(bytes, source.height(), source.width()), Psnr.of(source, decoded), msssim,
                    encodingTime, decodingTime);
        }
    }

    // ---------------------------------------------------------------- writing

    /** The JSON text; per-image entries are included when {@code perImage} is true and recorded. */
    public String toJson(boolean perImage) {
        ObjectNode root = JSON.createObjectNode();
        root.put("name", name);
        root.put("description", description);
        ObjectNode results = root.putObject("results");
        ArrayNode psnr = results.putArray("psnr-rgb");
        ArrayNode msssim = results.putArray("ms-ssim-rgb");
        ArrayNode bpp = results.putArray("bpp");
        ArrayNode enc = results.putArray("encoding_time");
        ArrayNode dec = results.putArray("decoding_time");
        for (Point p : points) {
            psnr.add(p.psnr());
            msssim.add(p.msSsim());
            bpp.add(p.bpp());
            enc.add(p.encodingTime());
            dec.add(p.decodingTime());
        }
        if (points.stream().anyMatch(p -> !p.setting().isEmpty())) {
            ArrayNode settings = root.putArray("settings");
            points.forEach(p -> settings.add(p.setting()));
        }
        if (perImage && points.stream().anyMatch(p -> !p.perImage().isEmpty())) {
            ArrayNode all = root.putArray("per_image");
            for (Point p : points) {
                ArrayNode list = all.addArray();
                for (ImageResult r : p.perImage()) {
                    ObjectNode o = list.addObject();
                    o.put("image", r.image());
                    o.put("bytes", r.bytes());
                    o.put("bpp", r.bpp());
                    o.put("psnr-rgb", r.psnr());
                    o.put("ms-ssim-rgb", r.msSsim());
                    o.put("encoding_time", r.encodingTime());
                    o.put("decoding_time", r.decodingTime());
                }
            }
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("JSON serialisation of an in-memory tree failed", e);
        }
    }

    /** Writes the JSON atomically. */
    public void write(Path file, boolean perImage) throws IOException {
        byte[] bytes = toJson(perImage).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        AtomicFiles.write(file, bytes);
    }

    // ---------------------------------------------------------------- reading

    /**
     * Loads a curve named as the project's bdrate.py names them: {@code FILE} or
     * {@code FILE:CODEC}. FILE is a CompressAI result file, or a baselines file
     * ({@code {codec: {setting: {bpp, psnr, ms_ssim, per_image}}}}, CODEC needed when it holds
     * more than one codec).
     */
    public static ResultFile load(String spec) throws IOException {
        int colon = spec.lastIndexOf(':');
        Path file = Path.of(spec);
        String codec = null;
        if (colon > 0 && !Files.exists(file)) {
            file = Path.of(spec.substring(0, colon));
            codec = spec.substring(colon + 1);
        }
        JsonNode root = readTree(file);
        if (root.has("results")) {
            if (codec != null) {
                throw new IOException(file + " is a CompressAI result file; it has no codec '" + codec + "'");
            }
            return fromCompressAi(root, file);
        }
        Map<String, ResultFile> byCodec = fromBaselines(root, file);
        if (codec == null) {
            if (byCodec.size() != 1) {
                throw new IOException(file + " holds several codecs: name one as FILE:CODEC, one of " + byCodec.keySet());
            }
            return byCodec.values().iterator().next();
        }
        ResultFile r = byCodec.get(codec);
        if (r == null) {
            throw new IOException(file + " has no codec '" + codec + "'; it has " + byCodec.keySet());
        }
        return r;
    }

    /** Reads a CompressAI-schema result file. */
    public static ResultFile read(Path file) throws IOException {
        JsonNode root = readTree(file);
        if (!root.has("results")) {
            throw new IOException(file + ": not a CompressAI result file (no \"results\" object)");
        }
        return fromCompressAi(root, file);
    }

    /** Reads a baselines file ({@code {codec: {setting: {...}}}}), one result set per codec, in file order. */
    public static Map<String, ResultFile> readBaselines(Path file) throws IOException {
        return fromBaselines(readTree(file), file);
    }

    private static JsonNode readTree(Path file) throws IOException {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    private static ResultFile fromCompressAi(JsonNode root, Path file) throws IOException {
        JsonNode results = root.get("results");
        if (!results.isObject()) {
            throw new IOException(file + ": \"results\" must be an object of lists");
        }
        double[] bpp = doubles(results, "bpp", file, -1);
        int n = bpp.length;
        double[] psnr = doubles(results, "psnr-rgb", file, n);
        double[] msssim = doubles(results, "ms-ssim-rgb", file, n);
        double[] enc = doubles(results, "encoding_time", file, n);
        double[] dec = doubles(results, "decoding_time", file, n);
        JsonNode settings = root.path("settings");
        JsonNode perImage = root.path("per_image");
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<ImageResult> images = new ArrayList<>();
            for (JsonNode o : perImage.path(i)) {
                images.add(new ImageResult(o.path("image").asText(""), o.path("bytes").asLong(-1), num(o, "bpp"),
                        num(o, "psnr-rgb"), num(o, "ms-ssim-rgb"), num(o, "encoding_time"), num(o, "decoding_time")));
            }
            points.add(new Point(settings.path(i).asText(""), bpp[i], psnr[i], msssim[i], enc[i], dec[i], images));
        }
        return new ResultFile(root.path("name").asText(file.getFileName().toString()), root.path("description").asText(""),
                points);
    }

    private static Map<String, ResultFile> fromBaselines(JsonNode root, Path file) throws IOException {
        if (!root.isObject()) {
            throw new IOException(file + ": expected a JSON object (CompressAI results or {codec: {setting: {...}}})");
        }
        Map<String, ResultFile> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> codec = it.next();
            if (!codec.getValue().isObject()) {
                continue;
            }
            List<Point> points = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> s = codec.getValue().fields(); s.hasNext(); ) {
                Map.Entry<String, JsonNode> e = s.next();
                JsonNode p = e.getValue();
                if (!p.has("bpp")) {
                    throw new IOException(file + ": " + codec.getKey() + " / " + e.getKey() + " has no bpp");
                }
                List<ImageResult> images = new ArrayList<>();
                for (JsonNode o : p.path("per_image")) {
                    images.add(new ImageResult(o.path("image").asText(""), o.path("bytes").asLong(-1), num(o, "bpp"),
                            num(o, "psnr"), num(o, "ms_ssim"), Double.NaN, Double.NaN));
                }
                points.add(new Point(e.getKey(), num(p, "bpp"), num(p, "psnr"), num(p, "ms_ssim"), Double.NaN, Double.NaN,
                        images));
            }
            out.put(codec.getKey(), new ResultFile(codec.getKey(), "baseline " + codec.getKey(), points));
        }
        if (out.isEmpty()) {
            throw new IOException(file + ": no result curves found");
        }
        return out;
    }

    private static double num(JsonNode o, String key) {
        JsonNode v = o.get(key);
        return v != null && v.isNumber() ? v.asDouble() : Double.NaN;
    }

    /** A list of numbers; {@code n < 0} means required, else optional (NaN-filled) and of length n. */
    private static double[] doubles(JsonNode results, String key, Path file, int n) throws IOException {
        JsonNode a = results.get(key);
        if (a == null) {
            if (n < 0) {
                throw new IOException(file + ": results has no \"" + key + "\" list");
            }
            double[] nan = new double[n];
            java.util.Arrays.fill(nan, Double.NaN);
            return nan;
        }
        if (!a.isArray() || (n >= 0 && a.size() != n)) {
            throw new IOException(file + ": results." + key + " must be a list" + (n >= 0 ? " of " + n + " numbers" : ""));
        }
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = a.get(i);
            if (!v.isNumber()) {
                throw new IOException(file + ": results." + key + "[" + i + "] is not a number: " + v);
            }
            out[i] = v.asDouble();
        }
        return out;
    }

    /** The bpp of every point, in point order. */
    public double[] bpp() {
        return points.stream().mapToDouble(Point::bpp).toArray();
    }
}
