package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.Codec;
import dev.tinify.Tinify;
import dev.tinify.TinifyException;
import dev.tinify.UndecodableFileException;
import dev.tinify.VideoCodec;
import dev.tinify.dsl.Metric;
import dev.tinify.dsl.Spec;
import dev.tinify.dsl.SpecException;
import dev.tinify.dsl.SpecReader;
import dev.tinify.runtime.checkpoint.CheckpointException;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.container.TfyContainer;
import dev.tinify.runtime.container.TinifyFormatException;
import dev.tinify.runtime.image.AlphaMode;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.model.MemoryBudget;
import dev.tinify.runtime.video.files.FrameWriter;
import dev.tinify.runtime.video.files.PanZoomClip;
import dev.tinify.runtime.video.files.VideoFormat;
import dev.tinify.runtime.video.files.Y4m;
import dev.tinify.runtime.video.stream.VideoFileReader;
import dev.tinify.runtime.video.stream.VideoHeader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of every input surface: {@code .tfy} files (mutated with and without the
 * checksum recomputed, lying header fields, hostile architecture names), {@code .tfy} videos
 * (mutated files, and records edited in place with their checksum recomputed), weights (safetensors bytes,
 * and files on disk: safetensors and PyTorch checkpoints through the public loader), training
 * checkpoint JSON naming hostile files, spec files (YAML structure and expressions), images
 * (damaged data, PNG, PNM and JPEG headers that lie, size bombs) and command-line arguments (point
 * clouds: {@link PointCloudFuzzTest}). Every case must end in a result or in the documented one-line error
 * (the exception type of its surface; for the command line exit status 1 or 2 and one line on
 * stderr), within a bounded time, without a file left behind when it fails.
 *
 * <p>{@value #CASES_PROPERTY} sets the number of cases (default {@value #DEFAULT_CASES}, e.g.
 * {@code -Dtinify.fuzz.cases=1000000} for a long run), {@value #SEED_PROPERTY} the seed.
 */
class HostileInputFuzzTest {
    static final String CASES_PROPERTY = "tinify.fuzz.cases";
    static final String SEED_PROPERTY = "tinify.fuzz.seed";
    static final int DEFAULT_CASES = 10_000;
    /** No single case may take longer than this (a decode of the largest legal tiny-model file takes well under it). */
    private static final long CASE_MILLIS = 20_000;
    /** A small budget, so that files claiming huge images are refused instead of decoded for seconds. */
    private static final String BUDGET = "256m";
    /** Smaller still for videos, whose model is rebuilt from the header: one claiming 255 planes (175 MB) is refused, not built. */
    private static final String VIDEO_BUDGET = "64m";

    @TempDir
    static Path dir;

    private static Codec codec;
    private static CompressionModel loadTarget;
    /** The size of the fixture checkpoints' factorized model, so that intact values load. */
    private static CompressionModel checkpointTarget;
    private static final List<byte[]> CHECKPOINTS = new ArrayList<>();
    private static byte[] goodTfy;
    private static TfyContainer good;
    private static byte[] goodWeights;
    private static final List<String> SPECS = new ArrayList<>();
    private static final List<byte[]> IMAGES = new ArrayList<>();
    private static Path png;
    private static Path sentinel;
    private static Path videoDir;
    private static VideoCodec videoCodec;
    private static byte[] goodVideo;
    private static VideoHeader goodVideoHeader;
    /** [start, end) of each record of the good video without its checksum: header, frames, index. */
    private static final List<int[]> VIDEO_RECORDS = new ArrayList<>();

    @BeforeAll
    static void seeds() throws Exception {
        System.setProperty(MemoryBudget.PROPERTY, BUDGET);
        codec = Codec.open("bmshj2018-factorized", 1, Metric.MSE, Map.of("N", 8, "M", 8), null);
        RgbImage image = CliRun.dev8Crop("maldives.png", 20, 28);
        good = codec.compress(image);
        goodTfy = good.toBytes();
        loadTarget = Tinify.build("bmshj2018-factorized", Map.of("N", 8, "M", 8));
        checkpointTarget = Tinify.build("bmshj2018-factorized", Map.of("N", 16, "M", 24));
        Path checkpoints = dev.tinify.runtime.reference.ReferenceCase.sharedDir().resolve("fixtures").resolve("checkpoints");
        for (String f : List.of("factorized-zip.pth.tar", "factorized-legacy.pth.tar", "factorized-oldest-keys.pth.tar",
                "evil-system-zip.pth.tar", "evil-system-legacy.pth.tar", "evil-exec-zip.pth.tar", "truncated-storage.pth.tar")) {
            CHECKPOINTS.add(read(checkpoints.resolve(f)));
        }
        ByteArrayOutputStream w = new ByteArrayOutputStream();
        SafeTensors.write(StateDicts.save(codec.model(), StateDicts.Precision.FULL), w);
        goodWeights = w.toByteArray();
        for (String name : Tinify.specNames()) {
            SPECS.add(Tinify.specText(name));
        }
        png = dir.resolve("in.png");
        ImageFiles.writePng(image, png);
        IMAGES.add(Files.readAllBytes(png));
        IMAGES.add(ImageFiles.encodePpm(CliRun.dev8Crop("fog.png", 6, 5)));
        IMAGES.add(Files.readAllBytes(CliRun.dev8Png(dir, "fog.png", 9, 7)));
        try (Stream<Path> s = Files.list(dev.tinify.runtime.reference.ReferenceCase.sharedDir().resolve("data").resolve("dev8"))) {
            s.filter(p -> p.toString().endsWith(".jpg")).findFirst().ifPresent(p -> IMAGES.add(read(p)));
        }
        sentinel = dir.resolve("sentinel.yaml");
        Files.writeString(sentinel, "SENTINEL-CONTENT: never shown\n");
        Files.write(dir.resolve("good.tfy"), goodTfy);
        Files.write(dir.resolve("w.safetensors"), goodWeights);
        videoCodec = VideoCodec.open(1, Metric.MSE, Map.of("planes", 8, "mid_planes", 8), null, "ans");
        // Apart from the folder the command-line cases take, so that they see what they always saw.
        videoDir = Files.createTempDirectory("tinify-fuzz-video");
        Path video = videoDir.resolve("good.tfy");
        try (PanZoomClip clip = new PanZoomClip(CliRun.dev8Crop("pier.png", 120, 160), 72, 40, 3, 3, 1, 0.99, 25, 1)) {
            goodVideoHeader = videoCodec.encode(clip, video, 2, dev.tinify.runtime.video.files.ColorSpace.COMPRESSAI,
                    (i, record, source, recon) -> { });
        }
        goodVideo = Files.readAllBytes(video);
        VIDEO_RECORDS.addAll(videoRecords(goodVideo));
    }

    /**
     * The records of a video as its format documents them: the header (magic, version, three
     * texts, then 53 bytes of fields), frame records (tag, index, kind, per part h_z, w_z and two
     * length-prefixed streams), the index (tag, counts, 12 bytes per keyframe); each followed by
     * its CRC-32C, then the 12-byte trailer.
     */
    private static List<int[]> videoRecords(byte[] f) {
        ByteBuffer b = ByteBuffer.wrap(f);
        List<int[]> out = new ArrayList<>();
        int p = 5;
        for (int t = 0; t < 3; t++) {
            p += 1 + (f[p] & 0xff);
        }
        p += 2 + 2 + 16 + 2 + 4 + 4 + 8 + 4 + 4 + 4 + 3;
        out.add(new int[] {0, p});
        p += 4;
        while (f[p] == 'F') {
            int start = p;
            boolean key = f[p + 5] == 0;
            p += 6;
            for (int part = 0; part < (key ? 1 : 2); part++) {
                p += 4;
                for (int stream = 0; stream < 2; stream++) {
                    p += 4 + b.getInt(p);
                }
            }
            out.add(new int[] {start, p});
            p += 4;
        }
        out.add(new int[] {p, p + 9 + 12 * b.getInt(p + 5)});
        return out;
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterAll
    static void close() throws IOException {
        codec.close();
        videoCodec.close();
        try (Stream<Path> s = Files.list(videoDir)) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
            Files.delete(videoDir);
        }
        loadTarget.close();
        checkpointTarget.close();
        System.clearProperty(MemoryBudget.PROPERTY);
    }

    /** One input surface: runs a case and returns "ok" or the kind of refusal, for the tally. */
    interface Surface {
        String run(Random r) throws Exception;
    }

    @Test
    void everyInputSurface() throws Exception {
        int cases = Integer.getInteger(CASES_PROPERTY, DEFAULT_CASES);
        Map<String, Surface> surfaces = new java.util.LinkedHashMap<>();
        surfaces.put("tfy", this::tfyBytes);
        surfaces.put("tfy-crc", this::tfyBytesWithCrc);
        surfaces.put("tfy-fields", this::tfyFields);
        surfaces.put("tfy-architecture", this::tfyArchitecture);
        surfaces.put("weights", this::weights);
        surfaces.put("weights-file", this::weightsFile);
        surfaces.put("training-json", this::trainingJson);
        surfaces.put("spec", this::spec);
        surfaces.put("image", this::image);
        surfaces.put("cli", this::cli);
        // Shares of the cases, in the order above: the command line is the slowest surface.
        run("HostileInputFuzzTest", surfaces, new int[] {200, 250, 100, 30, 120, 60, 20, 140, 115, 7}, cases, 13L);
    }

    /** Video files, one case for every twenty of the other surfaces: each decodes a model's worth of frames. */
    @Test
    void videoFiles() throws Exception {
        int cases = Math.max(2, Integer.getInteger(CASES_PROPERTY, DEFAULT_CASES) / 20);
        Map<String, Surface> surfaces = new java.util.LinkedHashMap<>();
        surfaces.put("video", this::videoBytes);
        surfaces.put("video-crc", this::videoRecordsWithCrc);
        run("HostileInputFuzzTest", surfaces, new int[] {1, 1}, cases, 13L);
    }

    /**
     * Runs {@code cases} seeded cases drawn from {@code surfaces} in proportion to {@code weights}:
     * each within {@code CASE_MILLIS}, every surface exercised; the seed is {@value #SEED_PROPERTY}
     * or {@code defaultSeed}.
     */
    static void run(String test, Map<String, Surface> surfaces, int[] weights, int cases, long defaultSeed) {
        long seed = Long.getLong(SEED_PROPERTY, defaultSeed);
        int total = Arrays.stream(weights).sum();
        List<String> names = List.copyOf(surfaces.keySet());
        Map<String, Integer> tally = new TreeMap<>();
        Random master = new Random(seed);
        for (int i = 0; i < cases; i++) {
            int pick = master.nextInt(total);
            int s = 0;
            while (pick >= weights[s]) {
                pick -= weights[s++];
            }
            long caseSeed = master.nextLong();
            String name = names.get(s);
            long start = System.nanoTime();
            String outcome;
            try {
                outcome = surfaces.get(name).run(new Random(caseSeed));
            } catch (Throwable t) {
                throw new AssertionError("case " + i + " (" + name + ", seed " + caseSeed + "): " + t, t);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < CASE_MILLIS, "case " + i + " (" + name + ", seed " + caseSeed + ") took " + millis + " ms");
            tally.merge(name + ":" + outcome, 1, Integer::sum);
        }
        System.out.println(test + ": " + cases + " cases, seed " + seed + ": " + tally);
        for (String name : names) {
            assertTrue(tally.keySet().stream().anyMatch(k -> k.startsWith(name + ":")), name + " was exercised");
        }
    }

    // ---- mutations ----

    private static final long[] INTERESTING = {0, 1, -1, 2, 127, 128, 255, 256, 65535, 65536, Integer.MAX_VALUE,
        Integer.MIN_VALUE, 1L << 32, Long.MAX_VALUE, Long.MIN_VALUE, 8192, 70000, 100000};

    /** A value that tends to matter in a length or count field. */
    static long interesting(Random r) {
        return INTERESTING[r.nextInt(INTERESTING.length)];
    }

    static byte[] mutate(byte[] in, Random r) {
        byte[] b = in.clone();
        int ops = 1 + r.nextInt(4);
        for (int k = 0; k < ops; k++) {
            int n = b.length;
            switch (r.nextInt(8)) {
                case 0 -> {
                    if (n > 0) {
                        b[r.nextInt(n)] ^= (byte) (1 << r.nextInt(8));
                    }
                }
                case 1 -> {
                    if (n > 0) {
                        b[r.nextInt(n)] = (byte) INTERESTING[r.nextInt(INTERESTING.length)];
                    }
                }
                case 2 -> b = Arrays.copyOf(b, r.nextInt(n + 1));
                case 3 -> {
                    byte[] extra = new byte[1 + r.nextInt(16)];
                    r.nextBytes(extra);
                    int at = r.nextInt(n + 1);
                    byte[] out = new byte[n + extra.length];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(extra, 0, out, at, extra.length);
                    System.arraycopy(b, at, out, at + extra.length, n - at);
                    b = out;
                }
                case 4 -> {
                    if (n > 1) {
                        int from = r.nextInt(n);
                        int len = 1 + r.nextInt(Math.min(32, n - from));
                        byte[] out = new byte[n - len];
                        System.arraycopy(b, 0, out, 0, from);
                        System.arraycopy(b, from + len, out, from, n - from - len);
                        b = out;
                    }
                }
                case 5 -> {
                    if (n > 0) {
                        int from = r.nextInt(n);
                        int len = 1 + r.nextInt(Math.min(64, n - from));
                        byte[] out = Arrays.copyOf(b, n + len);
                        System.arraycopy(b, from, out, n, len);
                        b = out;
                    }
                }
                case 6 -> {
                    if (n >= 4) {
                        // A 32-bit field overwritten with a value that tends to matter.
                        int at = r.nextInt(n - 3);
                        long v = INTERESTING[r.nextInt(INTERESTING.length)];
                        for (int j = 0; j < 4; j++) {
                            b[at + j] = (byte) (v >>> (8 * j));
                        }
                    }
                }
                default -> {
                    if (n > 0) {
                        b[r.nextInt(n)] = (byte) r.nextInt(256);
                    }
                }
            }
        }
        return b;
    }

    private static void oneLine(String message) {
        assertTrue(message != null && !message.isBlank(), "a message");
        assertFalse(message.contains("\n"), () -> "one line: " + message);
    }

    // ---- .tfy ----

    private String tfyBytes(Random r) {
        return decode(mutate(goodTfy, r));
    }

    private String tfyBytesWithCrc(Random r) {
        return decode(withCrc(mutate(goodTfy, r)));
    }

    /** The checksum recomputed, so that the checks behind it see the damage. */
    static byte[] withCrc(byte[] f) {
        if (f.length >= 9) {
            CRC32C crc = new CRC32C();
            crc.update(f, 0, f.length - 4);
            long v = crc.getValue();
            for (int j = 0; j < 4; j++) {
                f[f.length - 1 - j] = (byte) (v >>> (8 * j));
            }
        }
        return f;
    }

    /** Parses and decodes with the shared model: an image of the recorded size, or a format error. */
    private static String decode(byte[] f) {
        TfyContainer c;
        try {
            c = TfyContainer.parse(f);
        } catch (TinifyFormatException e) {
            oneLine(e.getMessage());
            return "rejected";
        }
        return decode(c);
    }

    private static String decode(TfyContainer c) {
        try {
            RgbImage img = codec.decompress(c);
            assertEquals(c.height(), img.height());
            assertEquals(c.width(), img.width());
            return "decoded";
        } catch (TinifyFormatException | MemoryBudget.Exceeded e) {
            oneLine(e.getMessage());
            return e instanceof MemoryBudget.Exceeded ? "over-budget" : "undecodable";
        }
    }

    private static int field(Random r, int typical) {
        return switch (r.nextInt(4)) {
            case 0 -> typical;
            case 1 -> r.nextInt(typical * 4 + 1);
            case 2 -> (int) INTERESTING[r.nextInt(INTERESTING.length)];
            default -> typical + r.nextInt(129) - 64;
        };
    }

    /** Header fields that lie: sizes, padding and latent shape, in an otherwise intact file. */
    private String tfyFields(Random r) {
        Padding p = good.padding();
        Object shape = good.latentShape();
        if (r.nextInt(3) == 0) {
            List<Object> s = new ArrayList<>();
            int dims = r.nextInt(5);
            for (int d = 0; d < dims; d++) {
                s.add(field(r, 8));
            }
            shape = r.nextBoolean() ? s : Map.of("y", s);
        }
        List<List<byte[]>> strings = good.strings();
        if (r.nextInt(4) == 0) {
            byte[] junk = new byte[r.nextInt(64)];
            r.nextBytes(junk);
            strings = List.of(List.of(junk));
        }
        TfyContainer c;
        try {
            c = new TfyContainer(good.architecture(), good.specHash(), good.weightsFingerprint(), good.quality(), good.metric(),
                    good.entropyCoder(), good.entropyParams(), field(r, good.height()), field(r, good.width()),
                    new Padding(field(r, p.left()), field(r, p.right()), field(r, p.top()), field(r, p.bottom())), shape, strings);
        } catch (IllegalArgumentException e) {
            oneLine(e.getMessage());
            return "invalid-fields";
        }
        return decode(c.toBytes());
    }

    private static final String[] HOSTILE_NAMES = {"../../../../../../etc/passwd", "/etc/passwd", "bmshj2018-factorized/../x",
        "..", ".", "", "a\\b", "CON", "bmshj2018-factorized.yaml", "classpath:tinify/specs/x", "%2e%2e%2f", "x".repeat(254),
        "bmshj2018-hyperprior ", "BMSHJ2018-FACTORIZED", "tinify/specs/bmshj2018-factorized"};

    /** Architecture names that are paths, near misses or junk: refused as not bundled, never read. */
    private String tfyArchitecture(Random r) {
        String name = r.nextInt(3) == 0 ? sentinel.toString() : HOSTILE_NAMES[r.nextInt(HOSTILE_NAMES.length)];
        if (name.isEmpty() || r.nextInt(4) == 0) {
            name = name + (char) ('a' + r.nextInt(26));
        }
        TfyContainer c = new TfyContainer(name, good.specHash(), good.weightsFingerprint(), good.quality(), good.metric(),
                good.entropyCoder(), good.entropyParams(), good.height(), good.width(), good.padding(), good.latentShape(),
                good.strings());
        try (Codec other = Codec.forContainer(c, null, Map.of("N", 8, "M", 8), null)) {
            throw new AssertionError("a file naming '" + name + "' was given a model: " + other);
        } catch (UndecodableFileException e) {
            oneLine(e.getMessage());
            assertFalse(e.getMessage().contains("SENTINEL"), e.getMessage());
            return "not-bundled";
        }
    }

    // ---- .tfy videos ----

    private String videoBytes(Random r) throws IOException {
        return decodeVideo(mutate(goodVideo, r));
    }

    /** Same-length edits inside one record (the header most often) with its checksum recomputed, so the fields themselves are tested. */
    private String videoRecordsWithCrc(Random r) throws IOException {
        byte[] f = goodVideo.clone();
        int[] rec = VIDEO_RECORDS.get(r.nextInt(3) == 0 ? 0 : r.nextInt(VIDEO_RECORDS.size()));
        int n = rec[1] - rec[0];
        for (int k = 1 + r.nextInt(3); k > 0; k--) {
            int at = rec[0] + r.nextInt(n);
            switch (r.nextInt(4)) {
                case 0 -> f[at] ^= (byte) (1 << r.nextInt(8));
                case 1 -> f[at] = (byte) INTERESTING[r.nextInt(INTERESTING.length)];
                default -> {
                    // A 16- or 32-bit big-endian field set to a value that tends to matter.
                    int width = r.nextBoolean() ? 2 : 4;
                    at = Math.min(at, rec[1] - width);
                    long v = INTERESTING[r.nextInt(INTERESTING.length)];
                    for (int j = 0; j < width; j++) {
                        f[at + j] = (byte) (v >>> (8 * (width - 1 - j)));
                    }
                }
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(f, rec[0], n);
        ByteBuffer.wrap(f).putInt(rec[1], (int) crc.getValue());
        return decodeVideo(f);
    }

    /**
     * Decodes a video file into a Y4M clip as {@code tinify decode} does: every frame of the
     * recorded size, or a one-line refusal and no output at all.
     */
    private static String decodeVideo(byte[] f) throws IOException {
        Path file = Files.createTempFile(videoDir, "video-", ".tfy");
        Files.write(file, f);
        Path out = videoDir.resolve(file.getFileName() + ".y4m");
        System.setProperty(MemoryBudget.PROPERTY, VIDEO_BUDGET);
        try (VideoFileReader in = VideoFileReader.open(file)) {
            VideoHeader h = in.header();
            boolean shared = h.equals(goodVideoHeader);
            VideoCodec c = shared ? videoCodec : VideoCodec.forFile(h, null);
            long[] frames = {0};
            try (FrameWriter w = Y4m.create(out, new VideoFormat(h.width(), h.height(), h.fpsNum(), h.fpsDen(), h.chroma()),
                    h.colorSpace())) {
                c.decode(in, w, (i, record, none, recon) -> {
                    assertEquals(h.width(), recon.width());
                    assertEquals(h.height(), recon.height());
                    frames[0]++;
                });
            } finally {
                if (!shared) {
                    c.close();
                }
            }
            assertTrue(Files.isRegularFile(out), "a decoded clip is published");
            return "decoded";
        } catch (TinifyException | MemoryBudget.Exceeded e) {
            // A damaged or undecodable file, or one whose model (its header's channel counts) or frames exceed the budget.
            oneLine(e.getMessage());
            assertFalse(Files.exists(out), "no output from a refused file");
            boolean budget = e instanceof MemoryBudget.Exceeded || e.getCause() instanceof MemoryBudget.Exceeded;
            assertTrue(budget || e instanceof TinifyFormatException || e instanceof UndecodableFileException, e.toString());
            return budget ? "over-budget" : "undecodable";
        } finally {
            System.setProperty(MemoryBudget.PROPERTY, BUDGET);
            Files.delete(file);
            Files.deleteIfExists(out);
            try (Stream<Path> s = Files.list(videoDir)) {
                assertFalse(s.anyMatch(p -> p.getFileName().toString().endsWith(".part")), "no temporary file left");
            }
        }
    }

    // ---- weights ----

    private String weights(Random r) {
        byte[] f = r.nextBoolean() ? mutate(goodWeights, r) : mutateHeader(goodWeights, r);
        Map<String, SafeTensors.Tensor> dict;
        try {
            dict = SafeTensors.parse(f, "w.safetensors");
        } catch (IOException e) {
            oneLine(e.getMessage());
            return "rejected";
        }
        try {
            loadTarget.load(dict);
            return "loaded";
        } catch (CheckpointException | IllegalArgumentException | IllegalStateException e) {
            oneLine(e.getMessage().lines().findFirst().orElse(""));
            return "refused";
        }
    }

    /**
     * A weights file read through the public loader from disk: a mutated PyTorch checkpoint (zip,
     * legacy, old key names, pickles that call os.system or exec, a truncated storage) or a mutated
     * safetensors file (mapped tensor by tensor). It loads, or is refused in one line naming the file.
     */
    private String weightsFile(Random r) throws IOException {
        boolean checkpoint = r.nextInt(3) != 0;
        byte[] f = checkpoint ? mutate(CHECKPOINTS.get(r.nextInt(CHECKPOINTS.size())), r) : mutate(goodWeights, r);
        Path file = Files.createTempFile(dir, "weights-", checkpoint ? ".pth.tar" : ".safetensors");
        Files.write(file, f);
        try {
            Tinify.load(checkpoint ? checkpointTarget : loadTarget, file, notice -> oneLine(notice));
            return "loaded";
        } catch (TinifyException e) {
            oneLine(e.getMessage());
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
            return "refused";
        } finally {
            Files.delete(file);
        }
    }

    private static final String[] HOSTILE_FILE_NAMES = {"../checkpoint.safetensors", "/etc/passwd", "..", ".", "", "a/b.safetensors",
        "a\\b", "c:x", "x\u0000y", "line\nbreak", "x".repeat(300), "checkpoint-00000001.safetensors"};

    /**
     * A training checkpoint's JSON whose tensor file names and spec are hostile: it is refused in
     * one line, or names files that lie beside it and nowhere else.
     */
    private String trainingJson(Random r) throws IOException {
        String model = HOSTILE_FILE_NAMES[r.nextInt(HOSTILE_FILE_NAMES.length)];
        String optimizer = r.nextBoolean() ? "checkpoint-00000001.optim.safetensors" : HOSTILE_FILE_NAMES[r.nextInt(HOSTILE_FILE_NAMES.length)];
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode n = json.createObjectNode();
        n.put("format", r.nextInt(8) == 0 ? 2 : 1);
        n.put("spec", r.nextBoolean() ? "bmshj2018-factorized" : HOSTILE_NAMES[r.nextInt(HOSTILE_NAMES.length)]);
        n.putObject("params").put("N", 8).put("M", 8);
        n.put("metric", "mse");
        n.put("lambda", 0.0067);
        if (r.nextInt(6) != 0) {
            n.put("modelFile", model);
        }
        n.put("optimizerFile", optimizer);
        byte[] text = json.writeValueAsBytes(n);
        if (r.nextInt(4) == 0) {
            text = mutate(text, r);
        }
        Path folder = Files.createTempDirectory(dir, "run-");
        Path file = folder.resolve("latest.json");
        Files.write(file, text);
        try {
            dev.tinify.runtime.train.TrainingState s = dev.tinify.runtime.train.TrainingState.read(file);
            assertEquals(folder.toAbsolutePath(), s.modelPath(file).getParent(), "the model file lies beside the checkpoint");
            assertEquals(folder.toAbsolutePath(), s.optimizerPath(file).getParent(), "the optimizer file lies beside the checkpoint");
            return "read";
        } catch (IOException e) {
            oneLine(e.getMessage());
            return "refused";
        } finally {
            Files.delete(file);
            Files.delete(folder);
        }
    }

    /** Edits inside the JSON header: numbers, keys and brackets, keeping the length prefix right. */
    private static byte[] mutateHeader(byte[] file, Random r) {
        long n = ByteBuffer.wrap(file).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0);
        String json = new String(file, 8, (int) n, StandardCharsets.UTF_8);
        String[] edits = {"\"shape\":[", "\"shape\":[1e300,", "\"shape\":[64.7,", "\"shape\":[\"64\",", "\"shape\":[4294967296,4294967296,",
            "\"shape\":[4611686018427387936,", "\"data_offsets\":[0,", "\"dtype\":\"F16\"", "\"dtype\":\"Q4\"", "\"shape\":[-1,"};
        String edited = json;
        switch (r.nextInt(4)) {
            case 0 -> {
                String e = edits[r.nextInt(edits.length)];
                edited = json.replaceFirst(java.util.regex.Pattern.quote(e.startsWith("\"dtype") ? "\"dtype\":\"F32\"" : e.substring(0,
                        e.indexOf('[') + 1)), java.util.regex.Matcher.quoteReplacement(e));
            }
            case 1 -> {
                // Duplicate the first tensor's entry under its own name.
                int colon = json.indexOf("}", 1);
                edited = json.substring(0, colon + 1) + "," + json.substring(1, colon + 1) + json.substring(colon + 1);
            }
            case 2 -> {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\d+").matcher(json);
                List<int[]> spans = new ArrayList<>();
                while (m.find()) {
                    spans.add(new int[] {m.start(), m.end()});
                }
                int[] sp = spans.get(r.nextInt(spans.size()));
                edited = json.substring(0, sp[0]) + INTERESTING[r.nextInt(INTERESTING.length)] + json.substring(sp[1]);
            }
            default -> edited = new String(mutate(json.getBytes(StandardCharsets.UTF_8), r), StandardCharsets.UTF_8);
        }
        byte[] h = edited.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + h.length + file.length - 8 - (int) n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h).put(file, 8 + (int) n, file.length - 8 - (int) n);
        return out.array();
    }

    // ---- specs ----

    private static final String[] HOSTILE_EXPRESSIONS = {"N*N*N*N*N*N*N*N*N*N*N*N*N*N", "100000", "0", "-1", "2147483648",
        "9223372036854775807", "1e300", "int(1e300)", "N//0", "N%0", "(".repeat(200) + "N" + ")".repeat(200),
        "-".repeat(300) + "N", "max(".repeat(100) + "N" + ")".repeat(100), "N+".repeat(500) + "N", "[N]*3", "'x'", "$g_a", "len(N)",
        "sum([" + "1,".repeat(3000) + "1])", "N[0]", "N[:]", "true", "[[[[[]]]]]", "\u0000", "N if N else M"};

    private String spec(Random r) {
        String text = SPECS.get(r.nextInt(SPECS.size()));
        switch (r.nextInt(6)) {
            case 0 -> text = new String(mutate(text.getBytes(StandardCharsets.UTF_8), r), StandardCharsets.UTF_8);
            case 1 -> {
                List<String> lines = new ArrayList<>(text.lines().toList());
                int a = r.nextInt(lines.size());
                switch (r.nextInt(4)) {
                    case 0 -> lines.add(r.nextInt(lines.size()), lines.get(a));
                    case 1 -> lines.remove(a);
                    case 2 -> lines.set(a, "  ".repeat(r.nextInt(4)) + lines.get(a).strip());
                    default -> lines.add(a, r.nextBoolean() ? "---" : "x: &a [*a, *a]");
                }
                text = String.join("\n", lines);
            }
            case 2 -> {
                // An integer or a name in the spec replaced with a hostile expression.
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b(\\d+|N|M)\\b").matcher(text);
                List<int[]> spans = new ArrayList<>();
                while (m.find()) {
                    spans.add(new int[] {m.start(), m.end()});
                }
                int[] sp = spans.get(r.nextInt(spans.size()));
                String e = HOSTILE_EXPRESSIONS[r.nextInt(HOSTILE_EXPRESSIONS.length)];
                text = text.substring(0, sp[0]) + (r.nextBoolean() ? e : "'" + e + "'") + text.substring(sp[1]);
            }
            case 3 -> text = text.replaceFirst("name: [^\\n]*", "name: " + HOSTILE_NAMES[r.nextInt(HOSTILE_NAMES.length)]);
            case 4 -> text = text + "\nextra: " + "[".repeat(r.nextInt(3000)) + "]".repeat(r.nextInt(3000));
            default -> text = text.replace("{N: 128, M: 192}", "{N: " + HOSTILE_EXPRESSIONS[r.nextInt(HOSTILE_EXPRESSIONS.length)]
                    + ", M: " + INTERESTING[r.nextInt(INTERESTING.length)] + "}");
        }
        Spec spec;
        try {
            spec = SpecReader.read("fuzz.yaml", text);
        } catch (SpecException e) {
            oneLine(e.getMessage());
            assertTrue(e.getMessage().startsWith("fuzz.yaml:"), e.getMessage());
            return "rejected";
        }
        try {
            MemoryBudget.checkParameters(spec.resolve(Map.of()));
            return "read";
        } catch (MemoryBudget.Exceeded e) {
            oneLine(e.getMessage());
            return "over-budget";
        }
    }

    // ---- images ----

    private String image(Random r) throws IOException {
        byte[] base = IMAGES.get(r.nextInt(IMAGES.size()));
        byte[] f = switch (r.nextInt(3)) {
            case 0 -> mutate(base, r);
            case 1 -> lyingSize(base, r);
            default -> base.length > 0 && (base[0] == 'P' || (base[0] & 0xff) == 0xff) ? lyingSize(base, r) : mutate(base, r);
        };
        try {
            RgbImage img = ImageFiles.decode(f, r.nextBoolean() ? AlphaMode.DROP : AlphaMode.COMPOSITE_WHITE);
            assertTrue((long) img.height() * img.width() <= RgbImage.MAX_PIXELS);
            return "decoded";
        } catch (IOException e) {
            oneLine(e.getMessage());
            return "rejected";
        }
    }

    /** The declared width and height replaced (PNG with the chunk CRC recomputed, so the lie is intact). */
    private static byte[] lyingSize(byte[] base, Random r) {
        int w = (int) INTERESTING[r.nextInt(INTERESTING.length)];
        int h = r.nextBoolean() ? (int) INTERESTING[r.nextInt(INTERESTING.length)] : 1 + r.nextInt(16);
        if (base.length > 24 && base[1] == 'P' && base[2] == 'N' && base[3] == 'G') {
            byte[] b = base.clone();
            ByteBuffer.wrap(b).putInt(16, w).putInt(20, h);
            CRC32 crc = new CRC32();
            crc.update(b, 12, 17);
            ByteBuffer.wrap(b).putInt(29, (int) crc.getValue());
            return b;
        }
        if (base.length > 4 && (base[0] & 0xff) == 0xff && (base[1] & 0xff) == 0xd8) {
            // JPEG: the frame header (SOF0..SOF2) declares height then width in 16 bits.
            byte[] b = base.clone();
            for (int i = 2; i + 9 < b.length; i++) {
                if ((b[i] & 0xff) == 0xff && (b[i + 1] & 0xff) >= 0xc0 && (b[i + 1] & 0xff) <= 0xc2) {
                    ByteBuffer.wrap(b).putShort(i + 5, (short) h).putShort(i + 7, (short) w);
                    return b;
                }
            }
            return mutate(base, r);
        }
        if (base.length > 2 && base[0] == 'P') {
            String text = new String(base, StandardCharsets.ISO_8859_1);
            return text.replaceFirst("\\n\\d+ \\d+\\n", "\n" + w + " " + h + "\n").getBytes(StandardCharsets.ISO_8859_1);
        }
        return mutate(base, r);
    }

    // ---- command line ----

    private static final String[] COMMANDS = {"encode", "decode", "inspect", "plot", "bdrate", "update", "import", "export", "check",
        "help", "frobnicate", ""};
    private static final String[] OPTIONS = {"-o", "--output", "-m", "-q", "--set", "--weights", "--recon", "--metrics", "--json",
        "--coder", "--alpha", "--svg", "--metric", "--input", "-h", "--", "-"};

    private static final Set<String> OUTPUT_OPTIONS = Set.of("-o", "--output", "--recon", "--svg");

    private static List<String> workingDirectory() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("").toAbsolutePath())) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private String cli(Random r) throws IOException {
        Path work = Files.createDirectories(dir.resolve("cli-" + r.nextInt(1_000_000)));
        Path checkpoint = dev.tinify.runtime.reference.ReferenceCase.sharedDir().resolve("fixtures").resolve("checkpoints")
                .resolve(r.nextBoolean() ? "factorized-zip.pth.tar" : "evil-system-legacy.pth.tar");
        String[] values = {png.toString(), dir.resolve("good.tfy").toString(), dir.resolve("w.safetensors").toString(),
            sentinel.toString(), dir.toString(), work.resolve("out.png").toString(), work.resolve("out.tfy").toString(),
            work.resolve("missing/deeper/x.tfy").toString(), "/dev/null", "N=8", "M=8", "N=abc", "N=100000", "-1", "1", "3",
            "99999999999", "bmshj2018-factorized", "bmshj2018-hyperprior", "../../etc/passwd", "", "x\u0000y",
            "ans", "range", "zip", "white", "psnr", "1x3x64x64", "1x3x999999x999999", "x".repeat(5000)};
        List<String> args = new ArrayList<>();
        if (r.nextBoolean()) {
            // A working command line with one argument replaced, dropped or repeated.
            String out = work.resolve(r.nextBoolean() ? "out.png" : "out.tfy").toString();
            String[][] templates = {
                {"encode", png.toString(), "-m", "bmshj2018-factorized", "-q", "1", "--set", "N=8", "--set", "M=8", "-o", out, "--allow-untrained"},
                {"decode", dir.resolve("good.tfy").toString(), "-o", out, "--set", "N=8", "--set", "M=8", "--allow-untrained"},
                {"inspect", "-m", "bmshj2018-factorized", "--set", "N=8", "--set", "M=8", "--input", "1x3x64x64"},
                {"import", checkpoint.toString(), "-m", "bmshj2018-factorized", "-o", work.resolve("w.safetensors").toString()},
            };
            args.addAll(List.of(templates[r.nextInt(templates.length)]));
            int at = 1 + r.nextInt(args.size() - 1);
            switch (r.nextInt(3)) {
                case 0 -> args.set(at, values[r.nextInt(values.length)]);
                case 1 -> args.remove(at);
                default -> args.add(at, args.get(at));
            }
        } else {
            args.add(COMMANDS[r.nextInt(COMMANDS.length)]);
            if (r.nextInt(4) != 0) {
                args.add(values[r.nextInt(values.length)]);
            }
            int n = r.nextInt(6);
            for (int k = 0; k < n; k++) {
                args.add(OPTIONS[r.nextInt(OPTIONS.length)]);
                if (r.nextInt(4) != 0) {
                    args.add(values[r.nextInt(values.length)]);
                }
            }
        }
        // A relative output path would land in the working directory (the source tree): outputs go under work.
        for (int k = 1; k < args.size(); k++) {
            if (OUTPUT_OPTIONS.contains(args.get(k - 1)) && !args.get(k).isEmpty() && !args.get(k).equals("-")
                    && !args.get(k).contains("\u0000") && !Path.of(args.get(k)).isAbsolute()) {
                args.set(k, work.resolve(args.get(k)).toString());
            }
        }
        byte[] before = Files.readAllBytes(png);
        List<String> cwdBefore = workingDirectory();
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(cwdBefore, workingDirectory(), () -> "the working directory is as it was after " + args);
        assertTrue(run.status() >= 0 && run.status() <= 2, run.toString());
        assertTrue(!run.err().contains("\tat ") && !run.out().contains("\tat "), "no stack trace: " + run);
        assertTrue(Arrays.equals(before, Files.readAllBytes(png)), "the input is intact: " + args);
        if (run.status() != 0) {
            List<String> errors = run.err().lines().filter(l -> !l.startsWith("WARNING")).toList();
            assertEquals(1, errors.size(), () -> args + " -> " + run);
            try (Stream<Path> s = Files.list(work)) {
                assertEquals(List.of(), s.toList(), () -> "nothing left behind by " + args);
            }
            return "status-" + run.status();
        }
        return "ok";
    }
}
