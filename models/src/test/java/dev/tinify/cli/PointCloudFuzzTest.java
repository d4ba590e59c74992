package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.PointCloudCodec;
import dev.tinify.Tinify;
import dev.tinify.TinifyException;
import dev.tinify.dsl.Metric;
import dev.tinify.runtime.container.LatentSegment;
import dev.tinify.runtime.container.PointCloudContainer;
import dev.tinify.runtime.container.TfyReader;
import dev.tinify.runtime.container.TinifyFormatException;
import dev.tinify.runtime.model.MemoryBudget;
import dev.tinify.runtime.pointcloud.Normalization;
import dev.tinify.runtime.pointcloud.PlyFiles;
import dev.tinify.runtime.pointcloud.PointCloud;
import dev.tinify.runtime.pointcloud.PointCloudFiles;
import dev.tinify.runtime.pointcloud.PointCloudFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of the point-cloud inputs, the companion of {@link HostileInputFuzzTest}: PLY and
 * OFF files that lie (declared counts against the data, huge counts, ASCII declared over binary
 * data and back, big-endian, non-finite and extreme numbers, list lengths, face indices,
 * truncation) and mutated ones, {@code .tfy} point clouds mutated with and without the checksum
 * recomputed and with lying fields in an intact file, and {@code encode}/{@code decode}/
 * {@code eval}/{@code inspect} command lines over such files. Every case must end in a result
 * (finite points, as many as declared when the file did not lie) or in a one-line error of its
 * surface (for the command line: status 1 for a bad cloud, 2 for a damaged {@code .tfy}, one
 * line on stderr without control characters), within a bounded time, with nothing left behind.
 *
 * <p>{@value HostileInputFuzzTest#CASES_PROPERTY} / 10 cases run (default 1,000),
 * {@value HostileInputFuzzTest#SEED_PROPERTY} sets the seed.
 */
class PointCloudFuzzTest {
    private static final String BUDGET = "256m";
    /** Points the fuzzed model codes: small, so that a case takes milliseconds. */
    private static final String[] MODEL = {"-m", "sfu2023-pcc-rec-pointnet", "--set", "num_points=32", "--allow-untrained"};

    @TempDir
    static Path dir;

    private static PointCloudCodec codec;
    private static PointCloudContainer good;
    private static byte[] goodTfy;
    private static final List<byte[]> FILES = new ArrayList<>();

    @BeforeAll
    static void seeds() throws Exception {
        System.setProperty(MemoryBudget.PROPERTY, BUDGET);
        codec = PointCloudCodec.open(Tinify.spec("sfu2023-pcc-rec-pointnet"), 0, Metric.MSE, Map.of("num_points", 32), null);
        byte[] off = PointCloudCommandTest.OCTAHEDRON.getBytes(StandardCharsets.US_ASCII);
        PointCloud octahedron = PointCloudFiles.decode(off, 40, 1);
        good = codec.compress(octahedron);
        goodTfy = good.toBytes();
        Files.write(dir.resolve("good.tfy"), goodTfy);
        FILES.add(off);
        float[] few = Arrays.copyOf(octahedron.xyz(), 12);
        PointCloud coloured = new PointCloud(few, new float[] {0, 0.5f, 1, 1, 1, 1, 0, 0, 0, 0.25f, 0.75f, 0.5f}, few.clone());
        FILES.add(PlyFiles.encode(coloured, PlyFiles.Encoding.ASCII));
        FILES.add(PlyFiles.encode(coloured, PlyFiles.Encoding.BINARY_LITTLE_ENDIAN));
    }

    @AfterAll
    static void close() {
        codec.close();
        System.clearProperty(MemoryBudget.PROPERTY);
    }

    @Test
    void pointCloudInputs() {
        int cases = Math.max(10, Integer.getInteger(HostileInputFuzzTest.CASES_PROPERTY, HostileInputFuzzTest.DEFAULT_CASES) / 10);
        Map<String, HostileInputFuzzTest.Surface> surfaces = new java.util.LinkedHashMap<>();
        surfaces.put("cloud-tfy", this::tfyBytes);
        surfaces.put("cloud-tfy-fields", this::tfyFields);
        surfaces.put("cloud-file", this::mutatedFile);
        surfaces.put("cloud-lies", this::lyingFile);
        surfaces.put("cloud-cli", this::cli);
        // Shares of the cases, in the order above: the command line is the slowest surface.
        int[] weights = {30, 15, 20, 30, 5};
        HostileInputFuzzTest.run("PointCloudFuzzTest", surfaces, weights, cases, 17L);
    }

    /** One line, no control character (a file's bytes never reach the terminal raw). */
    static void oneLine(String message) {
        assertTrue(message != null && !message.isBlank(), "a message");
        assertTrue(message.codePoints().noneMatch(Character::isISOControl), () -> "printable, one line: " + message);
        assertTrue(message.length() < 1000, () -> "a short message: " + message.length() + " characters");
    }

    // ---- .tfy point clouds ----

    private String tfyBytes(Random r) {
        byte[] f = HostileInputFuzzTest.mutate(goodTfy, r);
        if (r.nextBoolean()) {
            HostileInputFuzzTest.withCrc(f);
        }
        return decode(f);
    }

    /** Lying fields in an intact file: point count, normalization, quality, latent shape. */
    private String tfyFields(Random r) {
        int points = r.nextInt(3) == 0 ? good.pointCount() : (int) HostileInputFuzzTest.interesting(r);
        Normalization n = good.normalization();
        float[] norm = {n.x(), n.y(), n.z(), n.scale()};
        for (int k = r.nextInt(3); k >= 0; k--) {
            norm[r.nextInt(4)] = FLOATS[r.nextInt(FLOATS.length)];
        }
        Object shape = good.segment().shape();
        if (r.nextInt(3) == 0) {
            shape = lie(shape, r);
        }
        PointCloudContainer c;
        try {
            c = new PointCloudContainer(good.architecture(), good.specHash(), good.weightsFingerprint(), r.nextInt(4) == 0 ? 1 : 0,
                    good.metric(), good.entropyCoder(), good.entropyParams(), points, new Normalization(norm[0], norm[1], norm[2],
                    norm[3]), new LatentSegment(shape, good.segment().strings()));
        } catch (IllegalArgumentException e) {
            // The reader refuses the same fields with the same checks.
            oneLine(e.getMessage());
            return "refused";
        }
        return decode(c.toBytes());
    }

    private static final float[] FLOATS = {0f, -0f, 1f, -1f, 1e-45f, Float.MIN_NORMAL, 1e-30f, 1e30f, 3e38f, -3e38f, Float.MAX_VALUE,
        Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0.5f, 12345.678f};

    /** A latent shape with one number changed. */
    private static Object lie(Object shape, Random r) {
        if (shape instanceof Integer) {
            return (int) HostileInputFuzzTest.interesting(r);
        }
        if (shape instanceof List<?> list && !list.isEmpty()) {
            List<Object> out = new ArrayList<>(list);
            int at = r.nextInt(out.size());
            out.set(at, lie(out.get(at), r));
            return out;
        }
        return shape;
    }

    /** Parses and decodes with the shared model: finite points, or one format error. */
    private static String decode(byte[] f) {
        PointCloudContainer c;
        try {
            if (!(TfyReader.parseAny(f) instanceof PointCloudContainer pc)) {
                return "image";
            }
            c = pc;
        } catch (TinifyFormatException e) {
            oneLine(e.getMessage());
            return "rejected";
        }
        try {
            PointCloud p = codec.decompress(c);
            assertEquals(32, p.size());
            assertFinite(p);
            return "decoded";
        } catch (TinifyFormatException | MemoryBudget.Exceeded e) {
            oneLine(e.getMessage());
            return e instanceof MemoryBudget.Exceeded ? "over-budget" : "undecodable";
        }
    }

    private static void assertFinite(PointCloud p) {
        for (float[] values : Arrays.asList(p.xyz(), p.colors(), p.normals())) {
            if (values != null) {
                for (float v : values) {
                    assertTrue(Float.isFinite(v), "finite values");
                }
            }
        }
    }

    // ---- PLY and OFF files ----

    private String mutatedFile(Random r) {
        return read(HostileInputFuzzTest.mutate(FILES.get(r.nextInt(FILES.size())), r), -1);
    }

    /** Reads a cloud file: {@code honest} points when it told the truth (or -1: unknown), else finite points or one error. */
    private static String read(byte[] f, int honest) {
        try {
            PointCloud p = PointCloudFiles.decode(f, 16, 1);
            assertTrue(p.size() > 0);
            assertFinite(p);
            if (honest >= 0) {
                assertEquals(honest, p.size(), "the points of an honest file");
            }
            return "decoded";
        } catch (PointCloudFormatException | MemoryBudget.Exceeded e) {
            assertEquals(-1, honest, () -> "an honest file is read: " + e.getMessage() + "\n" + new String(f, StandardCharsets.ISO_8859_1));
            oneLine(e.getMessage());
            return e instanceof MemoryBudget.Exceeded ? "over-budget" : "rejected";
        }
    }

    private String lyingFile(Random r) {
        Lie lie = r.nextInt(3) == 0 ? off(r) : ply(r);
        return read(lie.bytes(), lie.honest() ? lie.points() : -1);
    }

    /** A generated file, whether it tells the truth, and how many points it holds if it does. */
    record Lie(byte[] bytes, boolean honest, int points) {}

    private static final String[] NUMBERS = {"nan", "NaN", "inf", "-Infinity", "1e39", "-1e39", "3.4e38", "-3.4e38", "1e-46", "-0",
        "0x1p3", "1e999999999", "", "--1", "1.2.3", "\u001b[2J", "9999999999999999999999"};
    private static final long[] COUNTS = {0, 1, 2, 3, 255, 256, 65535, 1 << 26, (1 << 26) + 1, 715_827_882, Integer.MAX_VALUE,
        1L << 32, 1L << 62, Long.MAX_VALUE, -1};

    /** A PLY file, maybe lying: counts, encoding, types, values, list lengths, truncation. */
    private static Lie ply(Random r) {
        boolean lies = false;
        int n = 1 + r.nextInt(12);
        boolean binary = r.nextBoolean();
        String[] xyzTypes = {"float", "double", "uchar", "int", "short"};
        String xyzType = xyzTypes[r.nextInt(xyzTypes.length)];
        boolean normals = r.nextBoolean();
        boolean colours = r.nextBoolean();
        boolean floatColours = colours && r.nextInt(3) == 0;
        boolean faces = r.nextInt(3) == 0;
        int faceCount = faces ? 1 + r.nextInt(4) : 0;
        long declared = n;
        long declaredFaces = faceCount;
        if (r.nextInt(3) == 0) {
            declared = r.nextBoolean() ? COUNTS[r.nextInt(COUNTS.length)] : n + r.nextInt(5) - 2;
            lies |= declared != n;
        }
        if (faces && r.nextInt(4) == 0) {
            declaredFaces = COUNTS[r.nextInt(COUNTS.length)];
            lies |= declaredFaces != faceCount;
        }
        String format = binary ? "binary_little_endian" : "ascii";
        if (r.nextInt(6) == 0) {
            // The header says one encoding, the data is in another (or big-endian, which Tinify refuses).
            format = r.nextBoolean() ? (binary ? "ascii" : "binary_little_endian") : "binary_big_endian";
            lies = true;
        }
        StringBuilder h = new StringBuilder("ply\nformat ").append(format).append(" 1.0\ncomment fuzz\n");
        h.append("element vertex ").append(declared).append('\n');
        for (String a : new String[] {"x", "y", "z"}) {
            h.append("property ").append(xyzType).append(' ').append(a).append('\n');
        }
        if (normals) {
            h.append("property float nx\nproperty float ny\nproperty float nz\n");
        }
        if (colours) {
            String t = floatColours ? "float" : "uchar";
            h.append("property ").append(t).append(" red\nproperty ").append(t).append(" green\nproperty ").append(t).append(" blue\n");
        }
        if (faces) {
            h.append("element face ").append(declaredFaces).append("\nproperty list uchar int vertex_indices\n");
        }
        h.append("end_header\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(h.toString().getBytes(StandardCharsets.US_ASCII));
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            StringBuilder line = new StringBuilder();
            b.clear();
            for (int a = 0; a < 3; a++) {
                boolean odd = r.nextInt(40) == 0;
                lies |= odd;
                String text = odd ? NUMBERS[r.nextInt(NUMBERS.length)] : String.valueOf(r.nextInt(100));
                value(b, line, xyzType, odd ? oddValue(r) : Double.parseDouble(text), text);
            }
            if (normals) {
                for (int a = 0; a < 3; a++) {
                    boolean odd = r.nextInt(40) == 0;
                    lies |= odd;
                    int unit = r.nextInt(3) - 1;
                    value(b, line, "float", odd ? oddValue(r) : unit, odd ? NUMBERS[r.nextInt(NUMBERS.length)] : String.valueOf(unit));
                }
            }
            if (colours) {
                for (int a = 0; a < 3; a++) {
                    int c = r.nextInt(256);
                    value(b, line, floatColours ? "float" : "uchar", floatColours ? c / 255.0 : c, floatColours
                            ? String.valueOf(c / 255.0) : String.valueOf(c));
                }
            }
            if (binary) {
                out.write(b.array(), 0, b.position());
            } else {
                out.writeBytes((line.toString().strip() + (r.nextInt(10) == 0 ? "\r\n" : "\n")).getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        for (int i = 0; i < faceCount; i++) {
            long k = r.nextInt(5) == 0 ? COUNTS[r.nextInt(COUNTS.length)] : 3;
            int written = 3;
            if (binary) {
                b.clear();
                b.put((byte) k);
                lies |= (k & 0xff) != 3;
                for (int j = 0; j < written; j++) {
                    b.putInt(r.nextInt(n));
                }
                out.write(b.array(), 0, b.position());
            } else {
                lies |= k != 3;
                StringBuilder line = new StringBuilder().append(k);
                for (int j = 0; j < written; j++) {
                    line.append(' ').append(r.nextInt(n));
                }
                out.writeBytes((line + "\n").getBytes(StandardCharsets.US_ASCII));
            }
        }
        byte[] bytes = out.toByteArray();
        if (r.nextInt(6) == 0) {
            int cut = r.nextInt(bytes.length + 1);
            // Cutting an ASCII file's last newline leaves it honest.
            lies |= cut < bytes.length - (binary ? 0 : 1);
            bytes = Arrays.copyOf(bytes, cut);
        }
        if (r.nextInt(8) == 0) {
            byte[] extra = new byte[1 + r.nextInt(8)];
            r.nextBytes(extra);
            bytes = concat(bytes, extra);
            lies = true;
        }
        return new Lie(bytes, !lies, n);
    }

    /** Writes one value as binary (in the declared type) and as ASCII text. */
    private static void value(ByteBuffer b, StringBuilder line, String type, double v, String text) {
        switch (type) {
            case "double" -> b.putDouble(v);
            case "uchar" -> b.put((byte) v);
            case "int" -> b.putInt((int) v);
            case "short" -> b.putShort((short) v);
            default -> b.putFloat((float) v);
        }
        line.append(text).append(' ');
    }

    private static double oddValue(Random r) {
        double[] odd = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e39, -1e39, 3.4e38, -3.4e38, Double.MAX_VALUE,
            Float.MAX_VALUE, -Float.MAX_VALUE, 1e-46};
        return odd[r.nextInt(odd.length)];
    }

    /** An OFF mesh, maybe lying: counts, face sizes and indices, values, comments, truncation. */
    private static Lie off(Random r) {
        boolean lies = false;
        int nv = 3 + r.nextInt(6);
        int nf = 1 + r.nextInt(4);
        long dv = nv;
        long df = nf;
        if (r.nextInt(3) == 0) {
            dv = r.nextBoolean() ? COUNTS[r.nextInt(COUNTS.length)] : nv + r.nextInt(5) - 2;
            df = r.nextBoolean() ? COUNTS[r.nextInt(COUNTS.length)] : nf + r.nextInt(5) - 2;
            lies |= dv != nv || df != nf;
        }
        StringBuilder s = new StringBuilder();
        if (r.nextBoolean()) {
            s.append("# fuzzed mesh\n");
        }
        s.append(r.nextBoolean() ? "OFF\n" + dv + " " + df + " 0\n" : "OFF" + dv + " " + df + " 0\n");
        // A right triangle in the first three vertices, so that every honest mesh has an area.
        for (int i = 0; i < nv; i++) {
            for (int a = 0; a < 3; a++) {
                boolean odd = r.nextInt(30) == 0;
                lies |= odd;
                int base = i < 3 ? (a == i ? 1 : 0) : r.nextInt(10);
                s.append(odd ? NUMBERS[r.nextInt(NUMBERS.length)] : String.valueOf(base)).append(a < 2 ? " " : "\n");
            }
            if (r.nextInt(10) == 0) {
                s.append("\n# a comment\n");
            }
        }
        for (int f = 0; f < nf; f++) {
            long k = r.nextInt(6) == 0 ? COUNTS[r.nextInt(COUNTS.length)] : 3 + r.nextInt(2);
            int written = (int) Math.min(5, Math.max(0, k));
            lies |= k < 3 || k > 4;
            s.append(k);
            for (int j = 0; j < written; j++) {
                boolean odd = r.nextInt(30) == 0;
                lies |= odd;
                s.append(' ').append(odd ? COUNTS[r.nextInt(COUNTS.length)] : f == 0 ? j % 3 : r.nextInt(nv));
            }
            s.append(r.nextInt(5) == 0 ? " 255 0 0\n" : "\n");
        }
        byte[] bytes = s.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (r.nextInt(5) == 0) {
            bytes = Arrays.copyOf(bytes, r.nextInt(bytes.length));
            lies = true;
        }
        // An honest mesh is sampled to the 16 points read() asks for (its first face, on vertices 0 1 2, has an area).
        return new Lie(bytes, !lies, 16);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    // ---- command lines ----

    private String cli(Random r) throws IOException {
        Path work = Files.createDirectories(dir.resolve("cli-" + r.nextInt(1_000_000)));
        Path inputs = Files.createDirectories(work.resolve("in"));
        List<String> args = new ArrayList<>();
        int expectedFailure;
        switch (r.nextInt(4)) {
            case 0, 1 -> {
                Lie lie = r.nextInt(3) == 0 ? off(r) : ply(r);
                Path cloud = inputs.resolve(lie.bytes().length > 0 && lie.bytes()[0] == 'p' ? "cloud.ply" : "mesh.off");
                Files.write(cloud, r.nextBoolean() ? lie.bytes() : HostileInputFuzzTest.mutate(FILES.get(r.nextInt(FILES.size())), r));
                args.addAll(List.of("encode", cloud.toString(), "-o", work.resolve("out.tfy").toString()));
                if (r.nextBoolean()) {
                    args.addAll(List.of("--recon", work.resolve("recon.ply").toString()));
                }
                expectedFailure = 1;
            }
            case 2 -> {
                byte[] f = HostileInputFuzzTest.mutate(goodTfy, r);
                if (r.nextBoolean()) {
                    HostileInputFuzzTest.withCrc(f);
                }
                Path tfy = inputs.resolve("cloud.tfy");
                Files.write(tfy, f);
                boolean inspect = r.nextInt(4) == 0;
                args.addAll(inspect ? List.of("inspect", tfy.toString()) : List.of("decode", tfy.toString(), "-o",
                        work.resolve("out.ply").toString()));
                expectedFailure = 2;
            }
            default -> {
                Lie lie = r.nextInt(3) == 0 ? off(r) : ply(r);
                Files.write(inputs.resolve("a.off"), FILES.get(0));
                Files.write(inputs.resolve(lie.bytes().length > 0 && lie.bytes()[0] == 'p' ? "b.ply" : "b.off"), lie.bytes());
                args.addAll(List.of("eval", "--data", inputs.toString(), "-o", work.resolve("result.json").toString(), "--quiet"));
                expectedFailure = 1;
            }
        }
        boolean inspect = args.get(0).equals("inspect");
        if (!inspect) {
            args.addAll(List.of(MODEL));
        }
        if (!inspect && r.nextInt(4) == 0) {
            String[] options = {"--points", "--peak", "--seed"};
            String[] values = {"0", "1", "16", "-1", "67108865", "2147483647", "nan", "1e309", "x"};
            args.addAll(List.of(options[r.nextInt(options.length)], values[r.nextInt(values.length)]));
            expectedFailure = -1;
        }
        Map<Path, byte[]> before = contents(inputs);
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertTrue(run.status() >= 0 && run.status() <= 2, run.toString());
        assertFalse(run.err().contains("\tat ") || run.out().contains("\tat "), () -> "no stack trace: " + run);
        Map<Path, byte[]> after = contents(inputs);
        assertEquals(before.keySet(), after.keySet(), () -> "the inputs are as they were after " + args);
        before.forEach((p, b) -> assertArrayEquals(b, after.get(p), () -> p + " is intact after " + args));
        try (Stream<Path> s = Files.list(work)) {
            List<Path> left = s.filter(p -> !p.equals(inputs)).toList();
            if (run.status() != 0) {
                List<String> errors = run.err().lines().filter(l -> !l.startsWith("WARNING")).toList();
                assertEquals(1, errors.size(), () -> args + " -> " + run);
                oneLine(errors.get(0));
                if (expectedFailure > 0 && !errors.get(0).contains("memory budget")) {
                    assertEquals(expectedFailure, run.status(), () -> args + " -> " + run);
                }
                assertEquals(List.of(), left, () -> "nothing left behind by " + args);
                return args.get(0) + ":status-" + run.status();
            }
            for (Path p : left) {
                if (p.toString().endsWith(".ply")) {
                    assertFinite(PointCloudFiles.read(p, 16, 1));
                }
            }
        }
        return args.get(0) + ":ok";
    }

    private static Map<Path, byte[]> contents(Path folder) throws IOException {
        Map<Path, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(folder)) {
            for (Path p : s.toList()) {
                m.put(p, Files.readAllBytes(p));
            }
        }
        return m;
    }
}
