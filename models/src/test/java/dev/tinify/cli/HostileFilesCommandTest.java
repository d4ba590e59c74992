package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.runtime.container.TfyContainer;
import dev.tinify.runtime.image.Padding;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files that name other files, outputs that are inputs, fields that lie: each is refused with one
 * line and the documented status, and no file is read, replaced or left behind.
 */
class HostileFilesCommandTest {
    private static final String SECRET = "root:x:0:0:secret-line";

    @TempDir
    Path dir;

    private Path png;
    private Path tfy;
    private TfyContainer good;

    @BeforeEach
    void encode() throws Exception {
        png = CliRun.dev8Png(dir, "maldives.png", 40, 24);
        tfy = dir.resolve("good.tfy");
        CliRun run = CliRun.of(CliRun.tiny("encode", png.toString(), "-q", "1", "-o", tfy.toString()));
        assertEquals(0, run.status(), run.toString());
        good = TfyContainer.read(tfy);
    }

    private TfyContainer withArchitecture(String architecture) {
        return new TfyContainer(architecture, good.specHash(), good.weightsFingerprint(), good.quality(), good.metric(),
                good.entropyCoder(), good.entropyParams(), good.height(), good.width(), good.padding(), good.latentShape(),
                good.strings());
    }

    private CliRun decode(TfyContainer c, String name, String... more) throws Exception {
        Path f = dir.resolve(name);
        c.write(f);
        String[] args = Stream.concat(Stream.of("decode", f.toString(), "-o", dir.resolve("out.png").toString(), "--set", "N=16",
                "--set", "M=24", "--allow-untrained"), Stream.of(more)).toArray(String[]::new);
        return CliRun.of(args);
    }

    private void assertRefused(CliRun run, int status, String fragment) throws Exception {
        assertEquals(status, run.status(), run.toString());
        assertEquals(1, run.err().strip().lines().filter(l -> !l.startsWith("WARNING")).count(), run.err());
        assertTrue(run.err().contains(fragment), run.err());
        try (Stream<Path> s = Files.list(dir)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().contains("out.png")), "no output or temporary file");
        }
    }

    @Test
    void anArchitectureThatIsAPathIsNeverRead() throws Exception {
        Path secret = dir.resolve("passwd");
        Files.writeString(secret, SECRET + "\n");
        for (String arch : new String[] {secret.toString(), "../../../../../../.." + secret, "passwd"}) {
            CliRun run = decode(withArchitecture(arch), "path.tfy");
            assertRefused(run, 2, "is not a bundled spec");
            assertFalse(run.err().contains("secret-line"), run.err());
        }
    }

    @Test
    void anArchitectureNamingASpecFileDoesNotCompileIt() throws Exception {
        // A spec file that would build: the file may still not name it; only -m may.
        Path yaml = dir.resolve("bmshj2018-hyperprior.yaml");
        Files.writeString(yaml, dev.tinify.Tinify.specText("bmshj2018-hyperprior"), StandardCharsets.UTF_8);
        CliRun run = decode(withArchitecture(yaml.toString()), "yaml.tfy");
        assertRefused(run, 2, "pass the spec file it was encoded with (-m FILE.yaml)");
        CliRun explicit = decode(good, "explicit.tfy", "-m", yaml.toString());
        assertEquals(0, explicit.status(), explicit.toString());
    }

    @Test
    void anUnknownArchitectureCoderOrHashInAnIntactFileExitsWithTwo() throws Exception {
        assertRefused(decode(withArchitecture("no-such-model"), "arch.tfy"), 2, "'no-such-model' is not a bundled spec");
        TfyContainer coder = new TfyContainer(good.architecture(), good.specHash(), good.weightsFingerprint(), good.quality(),
                good.metric(), "zip", good.entropyParams(), good.height(), good.width(), good.padding(), good.latentShape(), good.strings());
        assertRefused(decode(coder, "coder.tfy"), 2, "zip");
    }

    @Test
    void aSpecHashMismatchShowsWhereTheHashesDiffer() throws Exception {
        char[] h = good.specHash().toCharArray();
        h[20] = h[20] == '0' ? '1' : '0';
        String changed = new String(h);
        TfyContainer c = new TfyContainer(good.architecture(), changed, good.weightsFingerprint(), good.quality(), good.metric(),
                good.entropyCoder(), good.entropyParams(), good.height(), good.width(), good.padding(), good.latentShape(), good.strings());
        CliRun run = decode(c, "hash.tfy");
        assertRefused(run, 2, "@" + changed.substring(0, 21) + ", but");
        assertTrue(run.err().contains("has @" + good.specHash().substring(0, 21) + ";"), run.err());
    }

    @Test
    void paddingOtherThanTheCentredOneIsRefused() throws Exception {
        Padding p = good.padding();
        Padding shifted = new Padding(p.left() + p.right(), 0, p.top(), p.bottom());
        TfyContainer c = new TfyContainer(good.architecture(), good.specHash(), good.weightsFingerprint(), good.quality(), good.metric(),
                good.entropyCoder(), good.entropyParams(), good.height(), good.width(), shifted, good.latentShape(), good.strings());
        assertRefused(decode(c, "padding.tfy"), 2, "is not the centred padding the encoder writes");
    }

    @Test
    void anOutputThatIsTheInputIsRefusedAndTheInputKept() throws Exception {
        byte[] image = Files.readAllBytes(png);
        byte[] container = Files.readAllBytes(tfy);
        Path link = Files.createSymbolicLink(dir.resolve("link.png"), png);
        Path hard = Files.createLink(dir.resolve("hard.tfy"), tfy);
        CliRun[] runs = {
            CliRun.of(CliRun.tiny("encode", png.toString(), "-q", "1", "-o", png.toString())),
            CliRun.of(CliRun.tiny("encode", png.toString(), "-q", "1", "-o", dir.resolve("x.tfy").toString(), "--recon", png.toString())),
            CliRun.of(CliRun.tiny("encode", png.toString(), "-q", "1", "-o", link.toString())),
            CliRun.of("decode", tfy.toString(), "-o", tfy.toString(), "--set", "N=16", "--set", "M=24"),
            CliRun.of("decode", tfy.toString(), "-o", hard.toString(), "--set", "N=16", "--set", "M=24"),
        };
        for (CliRun run : runs) {
            assertEquals(1, run.status(), run.toString());
            assertTrue(run.err().contains("same file as the input"), run.err());
        }
        CliRun twice = CliRun.of(CliRun.tiny("encode", png.toString(), "-q", "1", "-o", dir.resolve("y.png").toString(), "--recon",
                dir.resolve("y.png").toString()));
        assertTrue(twice.status() == 1 && twice.err().contains("twice"), twice.toString());
        assertArrayEquals(image, Files.readAllBytes(png));
        assertArrayEquals(container, Files.readAllBytes(tfy));
        assertFalse(Files.exists(dir.resolve("x.tfy")) || Files.exists(dir.resolve("y.png")));
    }

    @Test
    void aDirectoryWithoutTfyFilesIsNamed() throws Exception {
        // A folder is decoded file by file; one without .tfy files is refused before anything is written.
        Path sub = Files.createDirectory(dir.resolve("sub.tfy"));
        CliRun run = CliRun.of("decode", sub.toString(), "-o", dir.resolve("out.png").toString());
        assertRefused(run, 1, sub + " holds no .tfy files");
    }

    @Test
    void aSymbolicLinkOutputIsWrittenThrough() throws Exception {
        Path real = dir.resolve("real.png");
        Files.write(real, new byte[] {1});
        Path link = Files.createSymbolicLink(dir.resolve("out-link.png"), real);
        CliRun run = CliRun.of("decode", tfy.toString(), "-o", link.toString(), "--set", "N=16", "--set", "M=24", "--allow-untrained");
        assertEquals(0, run.status(), run.toString());
        assertTrue(Files.isSymbolicLink(link));
        assertTrue(Files.size(real) > 100, "the PNG went to the link's target");
    }

    @Test
    void anImageOverTheMemoryBudgetIsRefusedWithHowMuchAndWhy() throws Exception {
        // 1024x1536 needs about 130 MB of activations in the tiny model: refused before any tensor exists.
        Path large = dir.resolve("large.png");
        dev.tinify.runtime.image.ImageFiles.writePng(new dev.tinify.runtime.image.RgbImage(1024, 1536, new float[3 * 1024 * 1536]), large);
        System.setProperty(dev.tinify.runtime.model.MemoryBudget.PROPERTY, "64m");
        try {
            // Coded whole (--tile 0): in tiles it would need the memory of one tile only.
            CliRun run = CliRun.of(CliRun.tiny("encode", large.toString(), "-q", "1", "--tile", "0", "-o",
                    dir.resolve("out.png.tfy").toString()));
            assertRefused(run, 1, "bmshj2018-hyperprior on a 1024x1536 image (padded) needs about ");
            assertTrue(run.err().contains("more than the memory budget of 64 MB; use a smaller image or a smaller model, or raise the"
                    + " budget with -Dtinify.memory=SIZE or TINIFY_MEMORY=SIZE"), run.err());
        } finally {
            System.clearProperty(dev.tinify.runtime.model.MemoryBudget.PROPERTY);
        }
    }

    @Test
    void aStripThatPaddingWouldMultiplySixtyFourFoldIsRefusedSayingWhy() throws Exception {
        // 1x70000 pads to 64x70016 for a stride-64 model: 4.5 million pixels computed for 70,000.
        Path thin = dir.resolve("thin.png");
        dev.tinify.runtime.image.ImageFiles.writePng(new dev.tinify.runtime.image.RgbImage(1, 70000, new float[3 * 70000]), thin);
        CliRun run = CliRun.of(CliRun.tiny("encode", thin.toString(), "-q", "1", "-o", dir.resolve("out.png.tfy").toString()));
        assertRefused(run, 1, "a 1x70000 image pads to 64x70016 for the model's stride of 64: 64 times its pixels, as slow to code"
                + " as a 2117x2117 image; images are refused where padding multiplies the pixels by more than 16 (crop it, or join"
                + " such strips into one image at least 5 pixels high and wide)");
        // A file claiming such a strip is refused by the decoder before anything is decoded.
        TfyContainer strip = new TfyContainer(good.architecture(), good.specHash(), good.weightsFingerprint(), good.quality(),
                good.metric(), good.entropyCoder(), good.entropyParams(), 1, 70000, Padding.forStride(1, 70000, 64),
                good.latentShape(), good.strings());
        assertRefused(decode(strip, "strip.tfy"), 2, "a 1x70000 image pads to 64x70016");
        // 5 rows pad 13-fold: coded.
        Path five = dir.resolve("five.png");
        dev.tinify.runtime.image.ImageFiles.writePng(new dev.tinify.runtime.image.RgbImage(5, 20000, new float[3 * 5 * 20000]), five);
        CliRun ok = CliRun.of(CliRun.tiny("encode", five.toString(), "-q", "1", "-o", dir.resolve("five.tfy").toString()));
        assertEquals(0, ok.status(), ok.toString());
    }
}
