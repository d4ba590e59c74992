package dev.tinify.cli;

import dev.tinify.TinifyException;
import dev.tinify.VideoCodec;
import dev.tinify.dsl.Metric;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.metrics.Bpp;
import dev.tinify.runtime.video.files.ColorSpace;
import dev.tinify.runtime.video.files.FrameReader;
import dev.tinify.runtime.video.files.FrameWriter;
import dev.tinify.runtime.video.files.PngFrames;
import dev.tinify.runtime.video.files.VideoFormat;
import dev.tinify.runtime.video.files.Y4m;
import dev.tinify.runtime.video.stream.FrameRecord;
import dev.tinify.runtime.video.stream.VideoFileReader;
import dev.tinify.runtime.video.stream.VideoHeader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The video side of {@code encode} and {@code decode}: a Y4M file or a folder of numbered PNG
 * frames in, a {@code .tfy} video out, and back into Y4M or PNG frames, frame by frame, with
 * per-frame and mean bpp, PSNR and MS-SSIM (CompressAI's keys).
 */
final class VideoCli {
    private VideoCli() {}

    /** Whether {@code input} is a clip rather than an image: a {@code .y4m} file or a folder. */
    static boolean isClip(Path input) {
        return Files.isDirectory(input) || input.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".y4m");
    }

    /** Opens a Y4M file or a folder of PNG frames. */
    static FrameReader openClip(Path input, ColorSpace cs, int[] fps) throws IOException {
        return Files.isDirectory(input) ? PngFrames.open(input, fps[0], fps[1]) : Y4m.open(input, cs);
    }

    /** Parses {@code N} or {@code N:D} frames per second. */
    static int[] fps(String s) {
        String[] p = s.split(":", -1);
        try {
            int n = Integer.parseInt(p[0].trim());
            int d = p.length == 2 ? Integer.parseInt(p[1].trim()) : 1;
            if (p.length <= 2 && n > 0 && d > 0) {
                return new int[] {n, d};
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--fps " + s + ": expected N or N:D frames per second, both positive");
    }

    static int encode(ToolCommand cmd, Path input, String modelName, Metric metric, Map<String, String> overrides, String coder, int quality,
            @Nullable Path weights, Path output, @Nullable Path recon, int gop, ColorSpace cs, int[] fps, boolean json, boolean allowUntrained)
            throws IOException {
        if (!modelName.equals(VideoCodec.ARCHITECTURE)) {
            throw new TinifyException(input + " is a clip: video needs -m " + VideoCodec.ARCHITECTURE + ", got -m " + modelName);
        }
        Stats stats = new Stats();
        long start = System.nanoTime();
        VideoHeader header;
        try (VideoCodec codec = VideoCodec.open(quality, metric, overrides, weights, coder);
                FrameReader clip = openClip(input, cs, fps);
                FrameWriter reconOut = recon == null ? null : createClip(recon, clip.format(), cs);
                Progress progress = Progress.start("encode", clip.expectedFrames(), json)) {
            if (!codec.trained()) {
                cmd.untrained(codec.describe(), allowUntrained);
            }
            header = codec.encode(clip, output, gop, cs, (i, record, source, reconstruction) -> {
                stats.add(record, source, reconstruction);
                if (reconOut != null) {
                    reconOut.write(reconstruction);
                }
                if (!json) {
                    cmd.out().println(stats.line(stats.frames.size() - 1));
                    cmd.out().flush();
                }
                progress.step("frame " + i);
            });
            if (reconOut != null) {
                reconOut.finish();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Object> r = stats.summary(header, seconds, "encoding_time");
        r.put("input", input.toString());
        r.put("output", output.toString());
        r.put("file_bytes", Files.size(output));
        report(cmd.out(), r, stats, json, String.format(Locale.ROOT, "%s -> %s: %d frames %dx%d, %s q%d, gop %d; %d bytes", input,
                output, stats.frames.size(), header.width(), header.height(), header.architecture(), header.quality(), header.gop(),
                Files.size(output)));
        return 0;
    }

    static int decode(ToolCommand cmd, Path input, Path output, @Nullable Path weights, @Nullable Path source, boolean json,
            boolean allowUntrained) throws IOException {
        long start = System.nanoTime();
        Stats stats = new Stats();
        VideoHeader header;
        try (VideoFileReader in = VideoFileReader.open(input)) {
            header = in.header();
            try (VideoCodec codec = VideoCodec.forFile(header, weights);
                    FrameReader reference = source == null ? null
                            : openClip(source, header.colorSpace(), new int[] {header.fpsNum(), header.fpsDen()});
                    FrameWriter out = createClip(output, new VideoFormat(header.width(), header.height(), header.fpsNum(),
                            header.fpsDen(), header.chroma()), header.colorSpace());
                    Progress progress = Progress.start("decode", -1, json)) {
                if (!codec.trained()) {
                    cmd.untrained(codec.describe(), allowUntrained);
                }
                codec.decode(in, out, (i, record, none, recon) -> {
                    RgbImage ref = reference == null ? null : reference.next();
                    if (reference != null && ref == null) {
                        throw new IOException(source + ": has fewer frames than " + input);
                    }
                    stats.add(record, ref, recon);
                    if (!json) {
                        cmd.out().println(stats.line(stats.frames.size() - 1));
                    cmd.out().flush();
                    }
                    progress.step("frame " + i);
                });
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Object> r = stats.summary(header, seconds, "decoding_time");
        r.put("input", input.toString());
        r.put("output", output.toString());
        report(cmd.out(), r, stats, json, String.format(Locale.ROOT, "%s -> %s: %d frames %dx%d, %s q%d", input, output,
                stats.frames.size(), header.width(), header.height(), header.architecture(), header.quality()));
        return 0;
    }

    /** A Y4M writer for a {@code .y4m} name, else a new folder of PNG frames. */
    static FrameWriter createClip(Path output, VideoFormat format, ColorSpace cs) throws IOException {
        return output.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".y4m") ? Y4m.create(output, format, cs)
                : PngFrames.create(output);
    }

    private static void report(PrintWriter out, Map<String, Object> r, Stats stats, boolean json, String headline) {
        if (json) {
            Json.print(out, r);
            return;
        }
        out.println(headline);
        out.println(String.format(Locale.ROOT, "mean: %.4f bpp%s", (double) r.get("bpp"),
                r.containsKey("psnr-rgb") ? ", " + Quality.format(r) : ""));
    }

    /** Per-frame kind, bytes, bpp and (with a source) PSNR and MS-SSIM, and their means. */
    private static final class Stats {
        final List<Map<String, Object>> frames = new ArrayList<>();

        void add(FrameRecord record, @Nullable RgbImage source, RgbImage recon) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("frame", record.index());
            f.put("type", record.keyframe() ? "key" : "inter");
            f.put("bytes", record.codedBytes());
            f.put("bpp", Bpp.of(record.codedBytes(), recon.height(), recon.width()));
            if (source != null) {
                f.putAll(Quality.measure(source, recon));
            }
            frames.add(f);
        }

        String line(int i) {
            Map<String, Object> f = frames.get(i);
            return String.format(Locale.ROOT, "frame %d %s: %d bytes, %.4f bpp%s", (long) f.get("frame"), f.get("type"),
                    (long) f.get("bytes"), (double) f.get("bpp"), f.containsKey("psnr-rgb") ? ", " + Quality.format(f) : "");
        }

        Map<String, Object> summary(VideoHeader h, double seconds, String timeKey) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("architecture", h.architecture());
            r.put("quality", h.quality());
            r.put("metric", h.metric());
            r.put("coder", h.entropyCoder());
            r.put("frames", frames.size());
            r.put("height", h.height());
            r.put("width", h.width());
            r.put("fps", (double) h.fpsNum() / h.fpsDen());
            r.put("gop", h.gop());
            r.put("colour", h.colorSpace().toString());
            r.put("weights_fingerprint", h.weightsFingerprint());
            for (String k : List.of("bpp", "psnr-rgb", "ms-ssim-rgb")) {
                if (!frames.isEmpty() && frames.get(0).containsKey(k)) {
                    r.put(k, frames.stream().mapToDouble(f -> (double) f.get(k)).average().orElse(Double.NaN));
                }
            }
            r.put(timeKey, seconds);
            r.put("per_frame", frames);
            return r;
        }
    }
}
