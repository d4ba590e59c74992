package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.runtime.container.TfyContainer;
import dev.tinify.runtime.image.ImageFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tinify encode DIR -o OUTDIR} (summary, resumable) and {@code -} for stdin and stdout. */
class FolderAndPipeTest {
    @TempDir
    Path dir;

    @Test
    void aFolderIsEncodedThenResumedAndDecoded() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        CliRun.dev8Png(images, "fog.png", 64, 96);
        CliRun.dev8Png(images, "pier.png", 72, 64);
        Files.writeString(images.resolve("notes.txt"), "not an image");
        Path out = dir.resolve("out");
        CliRun run = CliRun.of(CliRun.tiny("encode", images.toString(), "-q", "3", "-o", out.toString(), "--jobs", "2", "--quiet"));
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.out().contains("fog-64x96.png") && run.out().contains("96x64"), run.out());
        assertTrue(run.out().contains("2 done, 0 up to date, 0 failed"), run.out());
        Path fog = out.resolve("fog-64x96.tfy");
        assertEquals(96, TfyContainer.read(fog).width());

        // A second run keeps both outputs; a changed input is encoded again.
        Files.setLastModifiedTime(images.resolve("pier-72x64.png"), FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        CliRun again = CliRun.of(CliRun.tiny("encode", images.toString(), "-q", "3", "-o", out.toString(), "--quiet"));
        assertEquals(0, again.status(), again.toString());
        assertTrue(again.out().contains("1 done, 1 up to date, 0 failed"), again.out());

        Path pngs = dir.resolve("pngs");
        CliRun dec = CliRun.of("decode", out.toString(), "-o", pngs.toString(), "--set", "N=16", "--set", "M=24", "--allow-untrained",
                "--quiet");
        assertEquals(0, dec.status(), dec.toString());
        assertEquals(96, ImageFiles.read(pngs.resolve("fog-64x96.png")).width());
    }

    @Test
    void dashReadsStdinAndWritesStdout() throws Exception {
        Path png = CliRun.dev8Png(dir, "fog.png", 64, 64);
        byte[] tfy = pipe(Files.readAllBytes(png), CliRun.tiny("encode", "-", "-q", "3", "-o", "-"));
        assertEquals(64, TfyContainer.parse(tfy).width());
        byte[] decoded = pipe(tfy, "decode", "-", "-o", "-", "--set", "N=16", "--set", "M=24", "--allow-untrained");
        assertEquals(64, ImageFiles.decode(decoded, dev.tinify.runtime.image.AlphaMode.DROP).width());
        Path file = dir.resolve("fog.tfy");
        assertEquals(0, CliRun.of(CliRun.tiny("encode", png.toString(), "-q", "3", "-o", file.toString())).status());
        assertArrayEquals(Files.readAllBytes(file), tfy);
    }

    /** Runs the command line with {@code in} as stdin and returns what it wrote to stdout. */
    private static byte[] pipe(byte[] in, String... args) {
        InputStream oldIn = System.in;
        PrintStream oldOut = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setIn(new ByteArrayInputStream(in));
        System.setOut(new PrintStream(out, true));
        try {
            CliRun run = CliRun.of(args);
            assertEquals(0, run.status(), run.toString());
        } finally {
            System.setIn(oldIn);
            System.setOut(oldOut);
        }
        return out.toByteArray();
    }
}
