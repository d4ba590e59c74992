package dev.tinify.eval;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tinify.runtime.container.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A video evaluation in CompressAI's schema ({@code compressai.utils.video.eval_model}):
 * <pre>{"name": "ssf2020-mse", "description": "Inference (ans)",
 *  "results": {"q": [run, ..], "psnr-y": [..], "psnr-u": [..], "psnr-v": [..], "psnr-yuv": [..],
 *              "ms-ssim-rgb": [..], "mse-rgb": [..], "psnr-rgb": [..], "bitrate": [..], ...}}</pre>
 * one list entry per run (quality), each the mean over sequences of the sequence means, as
 * CompressAI's {@code aggregate_results}. {@code bitrate} is CompressAI's: the coded file's bytes
 * × 8 × frame rate / (frames × 1000), kbit/s. Tinify adds {@code bpp} (the frame's entropy-coded
 * bytes × 8 over its pixels, averaged over frames, the key {@code tinify plot} and
 * {@code bdrate} read), {@code encoding_time} and {@code decoding_time} (seconds per frame), and
 * beside {@code results}: {@code settings} (labels such as {@code q=3}) and {@code per_sequence}
 * (per run, a list of CompressAI's per-sequence objects {@code {source, name, description,
 * results}} with {@code frames} and {@code per_frame}: one array per key, one entry per frame).
 *
 * @param architecture e.g. {@code ssf2020}
 * @param metric the distortion the weights were trained for, e.g. {@code mse}
 * @param description e.g. {@code Inference (ans)}
 * @param runs one entry per quality
 */
public record VideoResultFile(String architecture, String metric, String description, List<Run> runs) {
    private static final ObjectMapper JSON = JsonMapper.builder()
            // Python's json reads bare NaN / Infinity.
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    public VideoResultFile {
        runs = List.copyOf(runs);
    }

    /** One frame: its kind, coded bytes, bpp, times and {@link VideoMetrics}. */
    public record Frame(boolean keyframe, long bytes, double bpp, double encodingTime, double decodingTime,
            Map<String, Double> metrics) {}

    /**
     * One sequence at one quality.
     *
     * @param source the sequence's name (file stem or folder name)
     * @param fileBytes size of the coded {@code .tfy} video
     * @param fps frames per second of the source
     */
    public record Sequence(String source, long fileBytes, double fps, List<Frame> frames) {
        public Sequence {
            frames = List.copyOf(frames);
            if (frames.isEmpty()) {
                throw new IllegalArgumentException(source + ": no frames");
            }
        }

        /** CompressAI's bitrate: kbit/s of the whole coded file at the source's frame rate. */
        public double bitrate() {
            return fileBytes * 8.0 * fps / (frames.size() * 1000.0);
        }

        /** The mean over frames of every metric, then bitrate, bpp and the times per frame. */
        public Map<String, Double> means() {
            Map<String, Double> m = new LinkedHashMap<>();
            for (String k : frames.get(0).metrics().keySet()) {
                m.put(k, frames.stream().mapToDouble(f -> f.metrics().get(k)).average().orElseThrow());
            }
            m.put("bitrate", bitrate());
            m.put("bpp", frames.stream().mapToDouble(Frame::bpp).average().orElseThrow());
            m.put("encoding_time", frames.stream().mapToDouble(Frame::encodingTime).average().orElseThrow());
            m.put("decoding_time", frames.stream().mapToDouble(Frame::decodingTime).average().orElseThrow());
            return m;
        }
    }

    /**
     * One quality over every sequence.
     *
     * @param run CompressAI's name of the trained net, e.g. {@code ssf2020-mse-3-ans}
     * @param setting a label such as {@code q=3}
     */
    public record Run(String run, String setting, List<Sequence> sequences) {
        public Run {
            sequences = List.copyOf(sequences);
            if (sequences.isEmpty()) {
                throw new IllegalArgumentException(run + ": no sequences");
            }
        }

        /** The mean over sequences of each sequence mean, as CompressAI's {@code aggregate_results}. */
        public Map<String, Double> means() {
            Map<String, Double> sum = new LinkedHashMap<>();
            for (Sequence s : sequences) {
                s.means().forEach((k, v) -> sum.merge(k, v, Double::sum));
            }
            sum.replaceAll((k, v) -> v / sequences.size());
            return sum;
        }
    }

    /** CompressAI's name of the result set: architecture and metric, e.g. {@code ssf2020-mse}. */
    public String name() {
        return architecture + "-" + metric;
    }

    /** The JSON text. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("name", name());
        root.put("description", description);
        ObjectNode results = root.putObject("results");
        ArrayNode q = results.putArray("q");
        for (Run r : runs) {
            q.add(r.run());
            r.means().forEach((k, v) -> (results.has(k) ? (ArrayNode) results.get(k) : results.putArray(k)).add(v));
        }
        ArrayNode settings = root.putArray("settings");
        runs.forEach(r -> settings.add(r.setting()));
        ArrayNode all = root.putArray("per_sequence");
        for (Run r : runs) {
            ArrayNode list = all.addArray();
            for (Sequence s : r.sequences()) {
                list.add(sequence(s));
            }
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("JSON serialisation of an in-memory tree failed", e);
        }
    }

    private ObjectNode sequence(Sequence s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("source", s.source());
        o.put("name", architecture);
        o.put("description", description);
        ObjectNode results = o.putObject("results");
        s.means().forEach(results::put);
        o.put("frames", s.frames().size());
        ObjectNode perFrame = o.putObject("per_frame");
        ArrayNode type = perFrame.putArray("type");
        ArrayNode bytes = perFrame.putArray("bytes");
        ArrayNode bpp = perFrame.putArray("bpp");
        ArrayNode enc = perFrame.putArray("encoding_time");
        ArrayNode dec = perFrame.putArray("decoding_time");
        for (Frame f : s.frames()) {
            type.add(f.keyframe() ? "key" : "inter");
            bytes.add(f.bytes());
            bpp.add(f.bpp());
            enc.add(f.encodingTime());
            dec.add(f.decodingTime());
            f.metrics().forEach((k, v) -> (perFrame.has(k) ? (ArrayNode) perFrame.get(k) : perFrame.putArray(k)).add(v));
        }
        return o;
    }

    /** Writes the JSON atomically. */
    public void write(Path file) throws IOException {
        AtomicFiles.write(file, toJson().getBytes(StandardCharsets.UTF_8));
    }
}
