package dev.tinify.cli;

import dev.tinify.PointCloudCodec;
import dev.tinify.TinifyException;
import dev.tinify.UndecodableFileException;
import dev.tinify.runtime.container.AtomicFiles;
import dev.tinify.runtime.container.PointCloudContainer;
import dev.tinify.runtime.container.TfyReader;
import dev.tinify.runtime.container.TinifyFormatException;
import dev.tinify.runtime.pointcloud.PlyFiles;
import dev.tinify.runtime.pointcloud.PointCloud;
import dev.tinify.runtime.pointcloud.PointCloudFiles;
import dev.tinify.runtime.pointcloud.PointCloudMetrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The point-cloud side of {@code encode}, {@code decode} and {@code eval}: a PLY cloud or an OFF
 * mesh (sampled to points) in, a {@code .tfy} point cloud out, and back into a PLY file, with the
 * measures point-cloud papers report: bits per input point, D1 and D2 PSNR as MPEG's
 * {@code pc_error} defines them, and the Chamfer distance, against the input cloud in its own
 * coordinates.
 */
final class PointCloudCli {
    private PointCloudCli() {}

    /** How a mesh is sampled and what peak the PSNRs use; the same options in every command. */
    record Options(int meshPoints, long seed, double peak) {
        /** Points sampled on an OFF mesh: {@code --points}, else the model's own count. */
        int meshPointsFor(PointCloudCodec codec) {
            return meshPoints > 0 ? meshPoints : codec.defaultMeshPoints();
        }

        /** {@code --peak}, else the longest side of the reference's bounding box. */
        double peakFor(PointCloud reference) {
            return peak > 0 ? peak : PointCloudMetrics.defaultPeak(reference);
        }

        String peakSource() {
            return peak > 0 ? "--peak" : "the longest side of the reference's bounding box";
        }
    }

    /** Refuses an output for a decoded cloud that is not named {@code .ply}: a PLY file under an image's name misleads. */
    static Path plyOutput(Path file, String option) {
        Path name = file.getFileName();
        if (name == null || !name.toString().toLowerCase(Locale.ROOT).endsWith(".ply")) {
            throw new TinifyException(option + " " + file + ": a decoded point cloud is written as PLY: give a name ending in .ply");
        }
        return file;
    }

    /** Opens a point-cloud model, refusing untrained weights unless allowed (the caller warns once its input is read). */
    static PointCloudCodec open(ToolCommand cmd, ModelOptions model, int quality, @Nullable Path weights) {
        PointCloudCodec codec = PointCloudCodec.open(dev.tinify.Tinify.spec(model.model), quality, model.metric(), model.overrides(),
                weights);
        try {
            if (!codec.codec().trained() && !model.allowUntrained) {
                cmd.untrained(codec.codec().describe(), false);
            }
            codec.codec().useCoder(model.coder);
            return codec;
        } catch (RuntimeException e) {
            codec.close();
            throw e;
        }
    }

    private static void warnUntrained(ToolCommand cmd, PointCloudCodec codec) {
        if (!codec.codec().trained()) {
            cmd.warnUntrained(codec.codec().describe());
        }
    }

    /** {@code encode CLOUD -o OUT.tfy [--recon OUT.ply]}: codes, decodes and prints rate and distortion. */
    static int encode(ToolCommand cmd, Path input, ModelOptions model, int quality, @Nullable Path weights, Path output,
            @Nullable Path recon, Options options, boolean json) throws IOException {
        try (PointCloudCodec codec = open(cmd, model, quality, weights)) {
            PointCloud source = PointCloudFiles.read(input, options.meshPointsFor(codec), options.seed());
            warnUntrained(cmd, codec);
            long t0 = System.nanoTime();
            PointCloudContainer container = codec.compress(source);
            byte[] bytes = container.toBytes();
            long t1 = System.nanoTime();
            PointCloud decoded = codec.decompress(container);
            long t2 = System.nanoTime();
            AtomicFiles.write(output, bytes);
            if (recon != null) {
                PlyFiles.write(recon, decoded, PlyFiles.Encoding.BINARY_LITTLE_ENDIAN);
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("input", input.toString());
            r.put("output", output.toString());
            r.put("architecture", container.architecture());
            r.put("spec_hash", container.specHash());
            r.put("quality", container.quality());
            r.put("coder", container.entropyCoder());
            r.put("points", source.size());
            r.put("coded_points", codec.inputPoints(source.size()));
            r.put("decoded_points", decoded.size());
            r.put("string_bytes", container.stringBytes());
            r.put("file_bytes", (long) bytes.length);
            r.put("bits_per_point", container.bitsPerPoint());
            r.putAll(measure(source, decoded, options));
            r.put("encoding_time", (t1 - t0) / 1e9);
            r.put("decoding_time", (t2 - t1) / 1e9);
            r.put("normalization", normalization(container));
            r.put("weights", codec.codec().weights() == null ? "untrained" : String.valueOf(codec.codec().weights()));
            r.put("weights_fingerprint", container.weightsFingerprint());
            if (recon != null) {
                r.put("reconstruction", recon.toString());
            }
            PrintWriter out = cmd.out();
            if (json) {
                Json.print(out, r);
            } else {
                out.println(String.format(Locale.ROOT, "%s -> %s: %d points (%d coded), %s q%d, %d bytes (%d coded), "
                        + "%.4f bits per input point, encoded in %.3f s", input, output, source.size(),
                        codec.inputPoints(source.size()), container.architecture(), container.quality(), bytes.length,
                        container.stringBytes(), container.bitsPerPoint(), (t1 - t0) / 1e9));
                out.println(format(r, options) + (recon != null ? "; reconstruction (" + decoded.size() + " points): " + recon : ""));
            }
            out.flush();
        }
        return 0;
    }

    /** {@code decode IN.tfy -o OUT.ply [--metrics SOURCE]}. */
    static int decode(ToolCommand cmd, String input, PointCloudContainer container, @Nullable String spec, Map<String, Number> overrides,
            @Nullable Path weights, boolean allowUntrained, Path output, @Nullable Path metrics, Options options, boolean json)
            throws IOException {
        PointCloudCodec codec;
        try {
            codec = PointCloudCodec.forContainer(container, spec, overrides, weights);
        } catch (UndecodableFileException e) {
            throw new UndecodableFileException(input + ": " + e.getMessage(), e);
        }
        try (codec) {
            if (!codec.codec().trained() && !allowUntrained) {
                cmd.untrained(codec.codec().describe(), false);
            }
            PointCloud source = metrics == null ? null : PointCloudFiles.read(metrics, options.meshPointsFor(codec), options.seed());
            warnUntrained(cmd, codec);
            long t0 = System.nanoTime();
            PointCloud decoded;
            try {
                decoded = codec.decompress(container);
            } catch (TinifyFormatException e) {
                throw new TinifyFormatException(input + ": " + e.getMessage());
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            PlyFiles.write(output, decoded, PlyFiles.Encoding.BINARY_LITTLE_ENDIAN);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("input", input);
            r.put("output", output.toString());
            r.put("architecture", container.architecture());
            r.put("quality", container.quality());
            r.put("coder", container.entropyCoder());
            r.put("weights_fingerprint", container.weightsFingerprint());
            r.put("points", container.pointCount());
            r.put("decoded_points", decoded.size());
            r.put("bits_per_point", container.bitsPerPoint());
            r.put("normalization", normalization(container));
            r.put("decoding_time", seconds);
            if (source != null) {
                r.putAll(measure(source, decoded, options));
            }
            PrintWriter out = cmd.out();
            if (json) {
                Json.print(out, r);
            } else {
                out.println(String.format(Locale.ROOT, "%s -> %s: %d points decoded (input had %d), %s q%d, %.4f bits per input point, "
                        + "decoded in %.3f s", input, output, decoded.size(), container.pointCount(), container.architecture(),
                        container.quality(), container.bitsPerPoint(), seconds));
                if (source != null) {
                    out.println(format(r, options));
                }
            }
            out.flush();
        }
        return 0;
    }

    /** {@code eval -m MODEL --data DIR -o RESULT.json}: every PLY and OFF file of a folder, real bitstreams. */
    static int eval(ToolCommand cmd, ModelOptions model, int quality, @Nullable Path weights, Path data, Path output, Options options,
            boolean quiet) throws IOException {
        List<Path> files = cloudsIn(data);
        List<Map<String, Object>> rows = new ArrayList<>();
        String name;
        try (PointCloudCodec codec = open(cmd, model, quality, weights);
                Progress progress = Progress.start("eval " + model.model, files.size(), quiet)) {
            name = codec.codec().model().name();
            warnUntrained(cmd, codec);
            for (Path f : files) {
                progress.step(f.getFileName().toString());
                PointCloud source = PointCloudFiles.read(f, options.meshPointsFor(codec), options.seed());
                long t0 = System.nanoTime();
                PointCloudContainer container = codec.compress(source);
                byte[] bytes = container.toBytes();
                long t1 = System.nanoTime();
                PointCloud decoded = codec.decompress((PointCloudContainer) TfyReader.parseAny(bytes));
                long t2 = System.nanoTime();
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("cloud", f.getFileName().toString());
                row.put("points", source.size());
                row.put("bytes", container.stringBytes());
                row.put("bpp", container.bitsPerPoint());
                row.putAll(measure(source, decoded, options));
                row.put("encoding_time", (t1 - t0) / 1e9);
                row.put("decoding_time", (t2 - t1) / 1e9);
                rows.add(row);
            }
        }
        Map<String, Object> results = new LinkedHashMap<>();
        for (String key : List.of("bpp", "d1-psnr", "d2-psnr", "chamfer", "encoding_time", "decoding_time")) {
            results.put(key, List.of(rows.stream().mapToDouble(r -> (double) r.get(key)).average().orElse(Double.NaN)));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("name", name);
        result.put("description", "Inference (" + model.coder + "), point clouds: bpp is bits per input point; D1/D2 PSNR as "
                + "pc_error with peak " + (options.peak() > 0 ? String.valueOf(options.peak()) : "the longest side of each cloud's "
                + "bounding box") + "; chamfer as CompressAI's loss");
        result.put("results", results);
        result.put("per_cloud", rows);
        AtomicFiles.write(output, Json.bytes(result));
        PrintWriter out = cmd.out();
        out.println(String.format(Locale.ROOT, "%s: %.4f bits per point, D1 PSNR %.3f dB, D2 PSNR %.3f dB, Chamfer %.6g over %d clouds",
                name, first(results, "bpp"), first(results, "d1-psnr"), first(results, "d2-psnr"), first(results, "chamfer"),
                rows.size()));
        out.println("wrote " + output);
        return 0;
    }

    private static double first(Map<String, Object> results, String key) {
        return (double) ((List<?>) results.get(key)).get(0);
    }

    /** The PLY and OFF files of {@code dir} (not its subfolders), by name. */
    static List<Path> cloudsIn(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new TinifyException(dir + ": not a folder of point clouds");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> Files.isRegularFile(p) && PointCloudFiles.hasCloudName(p)).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new TinifyException(dir + " holds no .ply or .off files");
        }
        return files;
    }

    /** D1 and D2 PSNR, the peak they use, and the Chamfer distance of {@code decoded} against {@code source}. */
    static Map<String, Object> measure(PointCloud source, PointCloud decoded, Options options) {
        double peak = options.peakFor(source);
        PointCloudMetrics.Errors e = PointCloudMetrics.compare(source, decoded, peak);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("d1-psnr", e.d1Psnr());
        m.put("d2-psnr", e.d2Psnr());
        m.put("peak", peak);
        m.put("chamfer", e.chamfer());
        m.put("d1-mse", e.d1Mse());
        m.put("d2-mse", e.d2Mse());
        return m;
    }

    static String format(Map<String, Object> m, Options options) {
        return String.format(Locale.ROOT, "D1 PSNR %.3f dB, D2 PSNR %.3f dB (pc_error: 10 log10(3 peak^2 / mse), peak %.6g: %s), "
                + "Chamfer distance %.6g", (double) m.get("d1-psnr"), (double) m.get("d2-psnr"), (double) m.get("peak"),
                options.peakSource(), (double) m.get("chamfer"));
    }

    private static Map<String, Object> normalization(PointCloudContainer c) {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("centre", List.of(c.normalization().x(), c.normalization().y(), c.normalization().z()));
        n.put("scale", c.normalization().scale());
        return n;
    }
}
