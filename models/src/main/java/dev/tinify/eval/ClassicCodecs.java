package dev.tinify.eval;

import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.RgbImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The classic-codec bench: runs a {@link ClassicCodec}'s command-line tools over images and
 * settings and measures them with {@link ResultFile.ImageResult#measure} (bpp of the whole coded
 * file, PSNR and MS-SSIM of the decoded 8-bit RGB against the source rounded to 8 bits). Times are wall-clock
 * seconds of the encoder and decoder processes. Images are coded one at a time.
 */
public final class ClassicCodecs {
    private static final long TOOL_TIMEOUT_SECONDS = 600;

    private ClassicCodecs() {}

    /** Codecs whose tools are all on the PATH. */
    public static List<ClassicCodec> available() {
        return Stream.of(ClassicCodec.values()).filter(c -> c.missingTools().isEmpty()).toList();
    }

    /** The images of a folder (PNG, JPEG, PPM, PGM), sorted by file name. */
    public static List<Path> imagesIn(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            List<Path> images = s.filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return Files.isRegularFile(p) && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg")
                        || n.endsWith(".ppm") || n.endsWith(".pgm"));
            }).sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
            if (images.isEmpty()) {
                throw new IOException(folder + " holds no PNG, JPEG or PNM images");
            }
            return images;
        }
    }

    /** Runs the bench without progress messages. */
    public static ResultFile run(ClassicCodec codec, List<Path> images, List<Double> settings) throws IOException {
        return run(codec, images, settings, message -> {});
    }

    /**
     * Codes every image at every setting; one result point per setting with per-image entries.
     *
     * @throws IllegalStateException if a tool is missing (the message names the Debian package)
     * @throws IOException if a tool fails (the message holds its command and output)
     */
    public static ResultFile run(ClassicCodec codec, List<Path> images, List<Double> settings, Consumer<String> progress)
            throws IOException {
        List<String> missing = codec.missingTools();
        if (!missing.isEmpty()) {
            throw new IllegalStateException(codec.id() + " needs " + String.join(", ", missing)
                    + " on the PATH (Debian: apt-get install " + codec.debianPackage() + ")");
        }
        if (images.isEmpty() || settings.isEmpty()) {
            throw new IllegalArgumentException("the bench needs at least one image and one setting");
        }
        Path work = Files.createTempDirectory("tinify-bench-");
        try {
            List<List<ResultFile.ImageResult>> bySetting = new ArrayList<>();
            for (int s = 0; s < settings.size(); s++) {
                bySetting.add(new ArrayList<>());
            }
            for (Path image : images) {
                RgbImage source = ImageFiles.read(image).rounded8Bit();
                Path in = work.resolve(codec.input == ClassicCodec.Input.PNG ? "in.png" : "in.ppm");
                Files.write(in, codec.input == ClassicCodec.Input.PNG ? ImageFiles.encodePng(source) : ImageFiles.encodePpm(source));
                for (int s = 0; s < settings.size(); s++) {
                    double setting = settings.get(s);
                    progress.accept(codec.id() + " " + codec.label(setting) + " " + image.getFileName());
                    bySetting.get(s).add(codeOne(codec, work, in, source, image.getFileName().toString(), setting));
                }
                Files.delete(in);
            }
            List<ResultFile.Point> points = new ArrayList<>();
            for (int s = 0; s < settings.size(); s++) {
                points.add(ResultFile.Point.mean(codec.label(settings.get(s)), bySetting.get(s)));
            }
            return new ResultFile(codec.id(), codec.description(), points);
        } finally {
            deleteTree(work);
        }
    }

    private static ResultFile.ImageResult codeOne(ClassicCodec codec, Path work, Path in, RgbImage source, String name,
            double setting) throws IOException {
        Path coded = work.resolve("coded." + codec.codedExtension);
        Path decoded = work.resolve("decoded." + codec.decodedExtension);
        double encodeTime = runTool(codec.encodeCommand(in, coded, setting), work);
        double decodeTime = runTool(codec.decodeCommand(coded, decoded), work);
        long bytes = Files.size(coded);
        ResultFile.ImageResult r;
        try {
            r = ResultFile.ImageResult.measure(name, source, ImageFiles.read(decoded), bytes, encodeTime, decodeTime);
        } catch (IllegalArgumentException e) {
            throw new IOException(codec.id() + " " + codec.label(setting) + ": " + e.getMessage(), e);
        }
        Files.delete(coded);
        Files.delete(decoded);
        return r;
    }

    /** Runs a tool in {@code dir}; returns its wall-clock time in seconds. */
    private static double runTool(List<String> command, Path dir) throws IOException {
        Path log = dir.resolve("tool.log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        long start = System.nanoTime();
        Process p = pb.start();
        try {
            if (!p.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + TOOL_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.get(0), e);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (p.exitValue() != 0) {
            String out = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
            throw new IOException(String.join(" ", command) + " failed with exit code " + p.exitValue() + ": "
                    + out.substring(Math.max(0, out.length() - 2000)).strip());
        }
        return seconds;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
