package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.runtime.container.TfyContainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** decode of damaged files: the container's message, exit status 2, nothing written. */
class DecodeDamagedFileTest {
    @TempDir
    Path dir;

    private byte[] good;

    @BeforeEach
    void encode() throws Exception {
        Path png = CliRun.dev8Png(dir, "maldives.png", 32, 32);
        Path tfy = dir.resolve("good.tfy");
        CliRun run = CliRun.of(CliRun.tiny("encode", png.toString(), "-q", "1", "-o", tfy.toString()));
        assertEquals(0, run.status(), run.toString());
        good = Files.readAllBytes(tfy);
    }

    private CliRun decode(byte[] bytes, String name) throws Exception {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return CliRun.of("decode", f.toString(), "-o", dir.resolve("out.png").toString(), "--set", "N=16", "--set", "M=24", "--allow-untrained");
    }

    private void assertNothingWritten() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().contains("out.png")), "no output or temporary file");
        }
    }

    @Test
    void truncatedFile() throws Exception {
        CliRun run = decode(Arrays.copyOf(good, good.length - 7), "cut.tfy");
        assertEquals(2, run.status(), run.toString());
        assertTrue(run.err().startsWith("tinify decode: " + dir.resolve("cut.tfy") + ": truncated .tfy file"), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertNothingWritten();
    }

    @Test
    void inspectOfATruncatedFileSaysSoInOneLine() throws Exception {
        Path f = dir.resolve("cut.tfy");
        Files.write(f, Arrays.copyOf(good, good.length - 7));
        CliRun run = CliRun.of("inspect", f.toString());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().contains(f + ": truncated .tfy file"), run.err());
        assertEquals(2, run.status(), run.toString());
    }

    @Test
    void flippedByteInTheStrings() throws Exception {
        byte[] bad = good.clone();
        bad[bad.length - 6] ^= 0x10;
        CliRun run = decode(bad, "flipped.tfy");
        assertEquals(2, run.status(), run.toString());
        assertTrue(run.err().contains("checksum"), run.err());
        assertNothingWritten();
    }

    @Test
    void aLatentShapeTooLargeForTheImageIsRefusedBeforeDecoding() throws Exception {
        TfyContainer c = TfyContainer.parse(good);
        // A well-formed file (valid checksum) whose hyper-latent would be 2^17 x 2^17 for a 32x32 image.
        TfyContainer hostile = new TfyContainer(c.architecture(), c.specHash(), c.weightsFingerprint(), c.quality(), c.metric(),
                c.entropyCoder(), c.entropyParams(), c.height(), c.width(), c.padding(), List.of(1 << 17, 1 << 17), c.strings());
        CliRun run = decode(hostile.toBytes(), "hostile.tfy");
        assertEquals(2, run.status(), run.toString());
        assertTrue(run.err().contains("latent shape [131072, 131072] is too large"), run.err());
        assertNothingWritten();
    }

    @Test
    void anImageIsNotAContainer() throws Exception {
        CliRun run = decode(Files.readAllBytes(CliRun.dev8Png(dir, "fog.png", 8, 8)), "image.tfy");
        assertEquals(2, run.status(), run.toString());
        assertTrue(run.err().contains("not a .tfy container: this is a PNG image"), run.err());
        assertNothingWritten();
    }
}
