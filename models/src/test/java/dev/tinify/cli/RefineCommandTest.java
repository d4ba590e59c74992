package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code encode --refine} and {@code eval --refine}: real files any decoder reads, options checked in one line. */
class RefineCommandTest {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    @TempDir
    Path dir;

    @Test
    void refinedFileDecodesWithThePlainDecoderAndZeroStepsChangesNothing() throws Exception {
        Path png = CliRun.dev8Png(dir, "pier.png", 64, 96);
        Path plain = dir.resolve("plain.tfy");
        Path zero = dir.resolve("zero.tfy");
        Path refined = dir.resolve("refined.tfy");
        Path recon = dir.resolve("refined-recon.png");
        Path decoded = dir.resolve("refined-decoded.png");
        String[] model = {"-m", "bmshj2018-hyperprior", "-q", "1"};
        assertEquals(0, CliRun.of(concat(new String[] {"encode", png.toString(), "-o", plain.toString()}, model)).status());
        assertEquals(0, CliRun.of(concat(new String[] {"encode", png.toString(), "-o", zero.toString(), "--refine", "0"}, model)).status());
        assertArrayEquals(Files.readAllBytes(plain), Files.readAllBytes(zero), "--refine 0 is plain encoding");

        CliRun enc = CliRun.of(concat(new String[] {"encode", png.toString(), "-o", refined.toString(), "--refine", "3",
                "--recon", recon.toString(), "--json"}, model));
        assertEquals(0, enc.status(), enc.toString());
        JsonNode r = JSON.readTree(enc.out());
        assertEquals(3, r.get("refine_steps").asInt());
        assertEquals("sga", r.get("refine_method").asText());
        CliRun dec = CliRun.of("decode", refined.toString(), "-o", decoded.toString());
        assertEquals(0, dec.status(), dec.toString());
        assertArrayEquals(Files.readAllBytes(recon), Files.readAllBytes(decoded), "the decoder's picture is the encoder's");
    }

    @Test
    void evalRecordsTheRefinement() throws Exception {
        Path data = Files.createDirectory(dir.resolve("data"));
        CliRun.dev8Png(data, "fog.png", 64, 64);
        Path out = dir.resolve("r.json");
        CliRun run = CliRun.of("eval", "-m", "bmshj2018-hyperprior", "-q", "1", "--data", data.toString(), "--refine", "2",
                "--refine-method", "ste", "--quiet", "-o", out.toString());
        assertEquals(0, run.status(), run.toString());
        JsonNode r = JSON.readTree(out.toFile());
        assertEquals("bmshj2018-hyperprior refine 2", r.get("name").asText());
        assertTrue(r.get("description").asText().contains("latent refinement: 2 ste steps"), r.toString());
    }

    @Test
    void badOptionsAreOneLineErrors() throws Exception {
        Path png = CliRun.dev8Png(dir, "pier.png", 64, 64);
        Path out = dir.resolve("x.tfy");
        CliRun negative = CliRun.of("encode", png.toString(), "-m", "bmshj2018-hyperprior", "-q", "1", "-o", out.toString(),
                "--refine", "-1");
        assertEquals(1, negative.status(), negative.toString());
        assertTrue(negative.err().contains("--refine: refinement steps must be in 0..100000"), negative.err());
        assertEquals(1, negative.err().strip().lines().count(), negative.err());
        CliRun method = CliRun.of("encode", png.toString(), "-m", "bmshj2018-hyperprior", "-q", "1", "-o", out.toString(),
                "--refine", "2", "--refine-method", "newton");
        assertTrue(method.err().contains("unknown refinement method 'newton'"), method.err());
        CliRun estimate = CliRun.of("eval", "-m", "bmshj2018-hyperprior", "-q", "1", "--data", dir.toString(), "--refine", "2",
                "--estimate", "-o", dir.resolve("e.json").toString());
        assertTrue(estimate.err().contains("does not combine with --estimate"), estimate.err());
        assertFalse(Files.exists(out));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = new String[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
