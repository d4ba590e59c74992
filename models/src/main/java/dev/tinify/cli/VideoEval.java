package dev.tinify.cli;

import dev.tinify.VideoCodec;
import dev.tinify.eval.VideoMetrics;
import dev.tinify.eval.VideoResultFile;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.metrics.Bpp;
import dev.tinify.runtime.metrics.MsSsim;
import dev.tinify.runtime.video.files.ColorSpace;
import dev.tinify.runtime.video.files.FrameReader;
import dev.tinify.runtime.video.files.FrameWriter;
import dev.tinify.runtime.video.files.PngFrames;
import dev.tinify.runtime.video.files.VideoFormat;
import dev.tinify.runtime.video.files.Y4m;
import dev.tinify.runtime.video.files.YuvFrame;
import dev.tinify.runtime.video.files.YuvReader;
import dev.tinify.runtime.video.stream.VideoFileReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * {@code eval -m ssf2020}: every sequence of a folder (Y4M files and folders of numbered PNG
 * frames) encoded to a real {@code .tfy} video and decoded again, per quality, as CompressAI's
 * video evaluation: each frame measured against its source ({@link VideoMetrics}), the decoded
 * frames checked equal to the encoder's reconstruction, the result written in CompressAI's video
 * schema ({@link VideoResultFile}). Per-frame lines and means are printed.
 */
final class VideoEval {
    private final ToolCommand cmd;
    private final int gop;
    private final ColorSpace colorSpace;
    private final int[] fps;
    private final Progress progress;

    private VideoEval(ToolCommand cmd, int gop, ColorSpace colorSpace, int[] fps, Progress progress) {
        this.cmd = cmd;
        this.gop = gop;
        this.colorSpace = colorSpace;
        this.fps = fps;
        this.progress = progress;
    }

    /** The sequences of {@code data}: its {@code .y4m} files and its folders, by name. */
    static List<Path> sequencesIn(Path data) throws IOException {
        if (!Files.isDirectory(data)) {
            throw new IOException(data + ": not a folder of sequences (Y4M files or folders of numbered PNG frames)");
        }
        try (Stream<Path> s = Files.list(data)) {
            List<Path> out = s.filter(VideoCli::isClip).sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
            if (out.isEmpty()) {
                throw new IOException(data + ": no sequences (expected .y4m files or folders of numbered PNG frames)");
            }
            return out;
        }
    }

    /** The number of frames the sequences hold, as far as known before reading them (for the progress bar), or -1. */
    private static long expectedFrames(List<Path> sequences, ColorSpace cs, int[] fps) throws IOException {
        long total = 0;
        for (Path p : sequences) {
            try (FrameReader r = VideoCli.openClip(p, cs, fps)) {
                if (r.expectedFrames() < 0) {
                    return -1;
                }
                total += r.expectedFrames();
            }
        }
        return total;
    }

    /**
     * Evaluates every sequence of {@code data} with each codec of {@code codecs} (one per quality,
     * opened on demand and closed after its run) and writes the result to {@code output}.
     */
    static VideoResultFile run(ToolCommand cmd, List<Integer> qualities, CodecOpener codecs, String metric, String coder, Path data,
            Path output, int gop, ColorSpace cs, int[] fps, boolean quiet) throws IOException {
        List<Path> sequences = sequencesIn(data);
        long frames = expectedFrames(sequences, cs, fps);
        List<VideoResultFile.Run> runs = new ArrayList<>();
        try (Progress progress = Progress.start("eval " + VideoCodec.ARCHITECTURE,
                frames < 0 ? -1 : 2 * frames * qualities.size(), quiet)) {
            VideoEval eval = new VideoEval(cmd, gop, cs, fps, progress);
            for (int q : qualities) {
                List<VideoResultFile.Sequence> results = new ArrayList<>();
                try (VideoCodec codec = codecs.open(q)) {
                    for (Path sequence : sequences) {
                        results.add(eval.sequence(codec, sequence, output, "q=" + q));
                    }
                }
                VideoResultFile.Run run = new VideoResultFile.Run(VideoCodec.ARCHITECTURE + "-" + metric + "-" + q + "-" + coder,
                        "q=" + q, results);
                runs.add(run);
                cmd.out().println(String.format(Locale.ROOT, "q=%d: %s over %d sequences", q, means(run.means()), results.size()));
                cmd.out().flush();
            }
        }
        VideoResultFile file = new VideoResultFile(VideoCodec.ARCHITECTURE, metric, "Inference (" + coder + ")", runs);
        file.write(output);
        return file;
    }

    /** Opens the codec of one quality. */
    @FunctionalInterface
    interface CodecOpener {
        VideoCodec open(int quality) throws IOException;
    }

    private static String means(Map<String, Double> m) {
        return String.format(Locale.ROOT, "%.4f bpp (%.1f kbit/s), PSNR %.3f dB (Y %.3f dB), MS-SSIM %s", m.get("bpp"),
                m.get("bitrate"), m.get("psnr-rgb"), m.get("psnr-y"), msSsim(m.get("ms-ssim-rgb")));
    }

    private static String msSsim(double v) {
        return Double.isNaN(v) ? "n/a (needs both sides > 160 px)" : String.format(Locale.ROOT, "%.5f (%.3f dB)", v, MsSsim.toDb(v));
    }

    /** Encodes one sequence into a temporary file beside the output, decodes it, measures every frame. */
    private VideoResultFile.Sequence sequence(VideoCodec codec, Path sequence, Path output, String setting) throws IOException {
        String name = sequence.getFileName().toString().replaceFirst("(?i)\\.y4m$", "");
        Path work = Files.createTempDirectory(output.toAbsolutePath().getParent(), "." + output.getFileName() + ".");
        Path coded = work.resolve(name + ".tfy");
        try (Source source = Source.open(sequence, colorSpace, fps)) {
            List<Measured> frames = new ArrayList<>();
            long[] last = {System.nanoTime()};
            codec.encode(source, coded, gop, colorSpace, (i, record, frame, recon) -> {
                double seconds = (System.nanoTime() - last[0]) / 1e9;
                Map<String, Double> m = VideoMetrics.measure(source.current(), frame, recon, colorSpace);
                double bpp = Bpp.of(record.codedBytes(), recon.height(), recon.width());
                frames.add(new Measured(record.keyframe(), record.codedBytes(), bpp, seconds, digest(recon), m));
                cmd.out().println(String.format(Locale.ROOT, "%s %s frame %d %s: %d bytes, %.4f bpp, PSNR %.3f dB, MS-SSIM %s", setting,
                        name, i, record.keyframe() ? "key" : "inter", record.codedBytes(), bpp, m.get("psnr-rgb"),
                        msSsim(m.get("ms-ssim-rgb"))));
                cmd.out().flush();
                progress.step(setting + " " + name + " encode " + i);
                last[0] = System.nanoTime();
            });
            double[] decodeSeconds = new double[frames.size()];
            try (VideoFileReader in = VideoFileReader.open(coded); FrameWriter none = new Discard()) {
                last[0] = System.nanoTime();
                codec.decode(in, none, (i, record, unused, recon) -> {
                    if (i >= frames.size() || !Arrays.equals(frames.get((int) i).digest(), digest(recon))) {
                        throw new IOException(sequence + ": frame " + i + " decodes differently from the encoder's reconstruction");
                    }
                    decodeSeconds[(int) i] = (System.nanoTime() - last[0]) / 1e9;
                    progress.step(setting + " " + name + " decode " + i);
                    last[0] = System.nanoTime();
                });
            }
            List<VideoResultFile.Frame> out = new ArrayList<>();
            for (int i = 0; i < frames.size(); i++) {
                Measured f = frames.get(i);
                out.add(new VideoResultFile.Frame(f.keyframe(), f.bytes(), f.bpp(), f.encodingTime(), decodeSeconds[i], f.metrics()));
            }
            VideoResultFile.Sequence result = new VideoResultFile.Sequence(name, Files.size(coded), source.format().fps(), out);
            cmd.out().println(String.format(Locale.ROOT, "%s %s: %d frames, %s", setting, name, out.size(), means(result.means())));
            return result;
        } finally {
            Files.deleteIfExists(coded);
            Files.deleteIfExists(work);
        }
    }

    /** A frame as measured while encoding, with a digest of its reconstruction for the decoding check. */
    private record Measured(boolean keyframe, long bytes, double bpp, double encodingTime, byte[] digest, Map<String, Double> metrics) {}

    private static byte[] digest(RgbImage image) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(image.data().length * 4);
            b.asFloatBuffer().put(image.data());
            return md.digest(b.array());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /**
     * A sequence's frames as RGB for the codec, keeping the current frame as stored for the Y, Cb,
     * Cr metrics: a Y4M file's own planes; PNG frames converted to 4:4:4 YCbCr.
     */
    private static final class Source implements FrameReader {
        private final @Nullable YuvReader yuv;
        private final @Nullable FrameReader rgb;
        private final ColorSpace colorSpace;
        private @Nullable YuvFrame current;

        private Source(@Nullable YuvReader yuv, @Nullable FrameReader rgb, ColorSpace colorSpace) {
            this.yuv = yuv;
            this.rgb = rgb;
            this.colorSpace = colorSpace;
        }

        static Source open(Path sequence, ColorSpace cs, int[] fps) throws IOException {
            return Files.isDirectory(sequence) ? new Source(null, PngFrames.open(sequence, fps[0], fps[1]), cs)
                    : new Source(Y4m.openYuv(sequence), null, cs);
        }

        @Override
        public VideoFormat format() {
            return yuv != null ? yuv.format() : rgb.format();
        }

        @Override
        public @Nullable RgbImage next() throws IOException {
            if (yuv != null) {
                current = yuv.next();
                return current == null ? null : current.toRgb(colorSpace);
            }
            RgbImage frame = rgb.next();
            current = frame == null ? null : YuvFrame.fromRgb(frame, format().chroma(), colorSpace);
            return frame;
        }

        YuvFrame current() {
            if (current == null) {
                throw new IllegalStateException("no current frame");
            }
            return current;
        }

        @Override
        public void close() throws IOException {
            if (yuv != null) {
                yuv.close();
            } else {
                rgb.close();
            }
        }
    }

    /** Decoded frames go nowhere: the evaluation keeps only their digests' comparison and times. */
    private static final class Discard implements FrameWriter {
        @Override
        public void write(RgbImage frame) {
            // checked and timed by the listener
        }

        @Override
        public void finish() {
            // nothing to publish
        }

        @Override
        public void close() {
            // nothing held
        }
    }
}
