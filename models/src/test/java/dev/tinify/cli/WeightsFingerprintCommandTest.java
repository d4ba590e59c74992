package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tinify.Codec;
import dev.tinify.dsl.Metric;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.SafeTensors.DType;
import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.checkpoint.StateDicts.Precision;
import dev.tinify.runtime.container.TfyContainer;
import dev.tinify.runtime.image.ImageFiles;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** encode records the weights' fingerprint; decode refuses other weights, warns on version 1 files. */
class WeightsFingerprintCommandTest {
    private static final Map<String, Integer> TINY_PARAMS = Map.of("N", 16, "M", 24);

    @TempDir
    Path dir;

    private Path png;
    /** The tiny model's seeded initialization, saved as weights. */
    private Path weightsA;
    /** {@link #weightsA} with one value of {@code g_s.0.weight} one ulp higher. */
    private Path weightsB;

    @BeforeEach
    void weights() throws Exception {
        png = CliRun.dev8Png(dir, "fog.png", 32, 48);
        weightsA = dir.resolve("a.safetensors");
        try (Codec codec = Codec.open("bmshj2018-hyperprior", 1, Metric.MSE, TINY_PARAMS, null)) {
            StateDicts.save(codec.model(), weightsA, Precision.FULL);
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>(SafeTensors.read(weightsA));
        Tensor t = tensors.get("g_s.0.weight");
        float[] v = t.toFloats();
        v[0] = Math.nextUp(v[0]);
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        tensors.put("g_s.0.weight", new Tensor(DType.F32, t.shape(), b));
        weightsB = dir.resolve("b.safetensors");
        write(tensors, weightsB);
    }

    private static void write(Map<String, Tensor> tensors, Path file) throws Exception {
        try (OutputStream out = Files.newOutputStream(file)) {
            SafeTensors.write(tensors, out);
        }
    }

    private static String fingerprintOf(Path weights) {
        try (Codec codec = Codec.open("bmshj2018-hyperprior", 1, Metric.MSE, TINY_PARAMS, weights)) {
            return codec.weightsFingerprint();
        }
    }

    private Path encode(Path weights, String name) {
        Path tfy = dir.resolve(name);
        CliRun run = CliRun.of(CliRun.tiny("encode", png.toString(), "-q", "1", "-o", tfy.toString(), "--weights", weights.toString()));
        assertEquals(0, run.status(), run.toString());
        return tfy;
    }

    private static CliRun decode(Path tfy, Path out, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("decode", tfy.toString(), "-o", out.toString(), "--set", "N=16",
                "--set", "M=24", "--allow-untrained"));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    private void assertNoOutput(String name) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().contains(name)), "no output or temporary file");
        }
    }

    private static List<String> errors(CliRun run) {
        return run.err().strip().lines().filter(l -> !l.startsWith("WARNING")).toList();
    }

    @Test
    void encodeRecordsTheLoadedWeightsAndTheSameWeightsDecode() throws Exception {
        String a = fingerprintOf(weightsA);
        Path tfy = encode(weightsA, "a.tfy");
        assertEquals(a, TfyContainer.read(tfy).weightsFingerprint());
        assertEquals(2, Files.readAllBytes(tfy)[4], "format version");
        Path out = dir.resolve("a.png");
        CliRun run = decode(tfy, out, "--weights", weightsA.toString(), "--json");
        assertEquals(0, run.status(), run.toString());
        assertEquals(a, new ObjectMapper().readTree(run.out()).get("weights_fingerprint").asText());
        assertTrue(Files.exists(out));
        assertEquals("", run.err(), "trained weights, verified: no warning");
    }

    @Test
    void otherWeightsAreRefusedNamingBothFingerprintsAndWriteNothing() throws Exception {
        String a = fingerprintOf(weightsA);
        String b = fingerprintOf(weightsB);
        assertNotEquals(a, b, "one ulp of one weight is other weights");
        Path tfy = encode(weightsA, "a.tfy");
        CliRun run = decode(tfy, dir.resolve("out.png"), "--weights", weightsB.toString());
        assertEquals(ToolCommand.EXIT_FORMAT, run.status(), run.toString());
        List<String> errors = errors(run);
        assertEquals(1, errors.size(), run.err());
        String e = errors.get(0);
        assertTrue(e.startsWith("tinify decode: " + tfy + ": weights mismatch"), e);
        assertTrue(e.contains("bmshj2018-hyperprior q1 mse with weights " + a), e);
        assertTrue(e.contains("(" + weightsB + ") are " + b), e);
        assertTrue(e.contains("--weights"), e);
        assertNoOutput("out.png");

        // Without --weights the decoder has the untrained initialization, which is weightsA: refused for weightsB's file.
        CliRun untrained = decode(encode(weightsB, "b.tfy"), dir.resolve("out.png"));
        assertEquals(ToolCommand.EXIT_FORMAT, untrained.status(), untrained.toString());
        assertTrue(errors(untrained).get(0).contains("untrained initial parameters"), untrained.err());
        assertNoOutput("out.png");
    }

    @Test
    void halfPrecisionWeightsLoadedByEncoderAndDecoderAgree() throws Exception {
        Path half = dir.resolve("half.safetensors");
        try (Codec codec = Codec.open("bmshj2018-hyperprior", 1, Metric.MSE, TINY_PARAMS, weightsA)) {
            StateDicts.save(codec.model(), half, Precision.HALF_PARAMETERS);
        }
        assertEquals(DType.F16, SafeTensors.read(half).get("g_s.0.weight").dtype());
        Path tfy = encode(half, "half.tfy");
        assertEquals(fingerprintOf(half), TfyContainer.read(tfy).weightsFingerprint());
        CliRun run = decode(tfy, dir.resolve("half.png"), "--weights", half.toString());
        assertEquals(0, run.status(), run.toString());
        // The fp16 file is not the float32 one it came from.
        CliRun other = decode(tfy, dir.resolve("other.png"), "--weights", weightsA.toString());
        assertEquals(ToolCommand.EXIT_FORMAT, other.status(), other.toString());
    }

    @Test
    void versionOneFileDecodesWithOneWarning() throws Exception {
        Path tfy = encode(weightsA, "a.tfy");
        TfyContainer c = TfyContainer.read(tfy);
        TfyContainer old = new TfyContainer(c.architecture(), c.specHash(), null, c.quality(), c.metric(), c.entropyCoder(),
                c.entropyParams(), c.height(), c.width(), c.padding(), c.latentShape(), c.strings());
        Path v1 = dir.resolve("v1.tfy");
        old.write(v1);
        assertEquals(1, Files.readAllBytes(v1)[4], "format version");
        assertEquals(Files.size(tfy) - StateDicts.FINGERPRINT_BYTES, Files.size(v1));

        // Even with other weights: a version 1 file cannot tell, so it is decoded, with the warning.
        CliRun run = decode(v1, dir.resolve("v1.png"), "--weights", weightsA.toString());
        assertEquals(0, run.status(), run.toString());
        List<String> lines = run.err().strip().lines().toList();
        assertEquals(1, lines.size(), run.err());
        assertTrue(lines.get(0).startsWith("WARNING: " + v1 + ": a version 1 .tfy file records no weights fingerprint"), lines.get(0));
        assertTrue(lines.get(0).contains("cannot be verified"), lines.get(0));
        CliRun current = decode(tfy, dir.resolve("v2.png"), "--weights", weightsA.toString());
        assertEquals(0, current.status(), current.toString());
        assertArrayEquals(ImageFiles.read(dir.resolve("v2.png")).to8Bit(), ImageFiles.read(dir.resolve("v1.png")).to8Bit());
    }

    @Test
    void aDamagedFingerprintFailsTheChecksum() throws Exception {
        Path tfy = encode(weightsA, "a.tfy");
        TfyContainer c = TfyContainer.read(tfy);
        // magic and version, architecture as length + text, spec hash as length + bytes: then the fingerprint.
        int at = 5 + 1 + c.architecture().getBytes(StandardCharsets.UTF_8).length + 1 + c.specHash().length() / 2;
        byte[] bytes = Files.readAllBytes(tfy);
        assertEquals(c.weightsFingerprint(), java.util.HexFormat.of().formatHex(bytes, at, at + StateDicts.FINGERPRINT_BYTES));
        bytes[at + 3] ^= 0x40;
        Path bad = dir.resolve("bad.tfy");
        Files.write(bad, bytes);
        CliRun run = decode(bad, dir.resolve("bad.png"), "--weights", weightsA.toString());
        assertEquals(ToolCommand.EXIT_FORMAT, run.status(), run.toString());
        assertTrue(run.err().contains("checksum mismatch"), run.err());
        assertNoOutput("bad.png");
    }
}
