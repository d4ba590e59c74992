package dev.tinify.runtime.container;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The output-file policy: write through links, refuse special files, never replace an input. */
class OutputFilesTest {
    @TempDir
    Path dir;

    private long filesIn(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.count();
        }
    }

    @Test
    void aSymbolicLinkIsWrittenThroughAndStaysALink() throws IOException {
        Path real = dir.resolve("real.bin");
        Files.write(real, new byte[] {1});
        Path link = Files.createSymbolicLink(dir.resolve("link.bin"), real);
        AtomicFiles.write(link, new byte[] {2, 3});
        assertTrue(Files.isSymbolicLink(link), "the link is kept");
        assertArrayEquals(new byte[] {2, 3}, Files.readAllBytes(real));
        assertEquals(2, filesIn(dir), "no temporary file left");
    }

    @Test
    void aDanglingLinkIsRefused() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("dangling.bin"), dir.resolve("missing.bin"));
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(link, new byte[] {1}));
        assertTrue(e.getMessage().contains("symbolic link to a missing file"), e.getMessage());
        assertTrue(Files.isSymbolicLink(link));
    }

    @Test
    void aFifoIsRefusedAndKept() throws Exception {
        Path fifo = dir.resolve("pipe");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(fifo, new byte[] {1}));
        assertEquals("cannot write " + fifo + ": it is a special file (device, FIFO or socket), not a regular file", e.getMessage());
        assertTrue(Files.exists(fifo) && !Files.isRegularFile(fifo), "the FIFO is still a FIFO");
        assertEquals(1, filesIn(dir));
    }

    @Test
    void aDeviceNodeIsRefusedBeforeAnythingIsWritten() {
        // Only the check runs: the policy refuses before creating a temporary file beside it.
        IOException e = assertThrows(IOException.class, () -> OutputFiles.resolve(Path.of("/dev/null")));
        assertTrue(e.getMessage().contains("special file"), e.getMessage());
    }

    @Test
    void aDirectoryIsRefused() {
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(dir, new byte[] {1}));
        assertTrue(e.getMessage().contains("it is a directory"), e.getMessage());
    }

    @Test
    void theInputIsRecognisedThroughSymbolicAndHardLinks() throws IOException {
        Path in = dir.resolve("in.png");
        Files.write(in, new byte[] {9});
        Path soft = Files.createSymbolicLink(dir.resolve("soft.png"), in);
        Path hard = Files.createLink(dir.resolve("hard.png"), in);
        Path dotted = dir.resolve(".").resolve("in.png");
        for (Path out : new Path[] {in, soft, hard, dotted}) {
            IOException e = assertThrows(IOException.class, () -> OutputFiles.checkNotInput(out, null, in));
            assertTrue(e.getMessage().contains("same file as the input " + in), e.getMessage());
        }
        OutputFiles.checkNotInput(dir.resolve("other.png"), in);
    }

    @Test
    void twoOutputsOfOneCommandMustDiffer() {
        Path a = dir.resolve("a.png");
        assertThrows(IOException.class, () -> OutputFiles.checkDistinct(a, dir.resolve("x/../a.png")));
        assertDoesNotThrow(() -> OutputFiles.checkDistinct(a, dir.resolve("b.png")));
        assertDoesNotThrow(() -> OutputFiles.checkDistinct(a, null));
    }

    @Test
    void aDirectoryAsInputIsNamed() {
        IOException e = assertThrows(IOException.class, () -> InputFiles.read(dir, 100, "a .tfy file"));
        assertEquals(dir + ": is a directory; expected a .tfy file", e.getMessage());
    }

    @Test
    void anOversizedInputIsRefusedBeforeReading() throws IOException {
        Path f = dir.resolve("big.tfy");
        Files.write(f, new byte[101]);
        IOException e = assertThrows(IOException.class, () -> InputFiles.read(f, 100, "a .tfy file"));
        assertTrue(e.getMessage().contains("101 bytes is larger than the 100 bytes"), e.getMessage());
    }
}
