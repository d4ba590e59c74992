package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pan clip from a photograph through {@code clip}, {@code encode} and {@code decode}: the decoded
 * Y4M equals the encoder's reconstruction byte for byte, PNG frames decode alike, and a damaged
 * .tfy video exits with status 2 and writes nothing.
 */
class VideoCommandTest {
    private static final String[] SMALL = {"-m", "ssf2020", "-q", "1", "--set", "planes=8", "--set", "mid_planes=8", "--allow-untrained"};

    private static String[] with(String[] args, String... more) {
        String[] all = Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    @Test
    void clipRoundTripsThroughTheCommandLine(@TempDir Path dir) throws Exception {
        Path clip = dir.resolve("clip.y4m");
        Path photo = CliRun.dev8Png(dir, "pier.png", 300, 300);
        CliRun made = CliRun.of("clip", photo.toString(), "-o", clip.toString(), "--frames", "4", "--size", "160x96");
        assertEquals(0, made.status(), made.toString());
        Path tfy = dir.resolve("clip.tfy");
        Path recon = dir.resolve("recon.y4m");
        CliRun enc = CliRun.of(with(new String[] {"encode", clip.toString(), "--gop", "3", "-o", tfy.toString(), "--recon",
                recon.toString()}, SMALL));
        assertEquals(0, enc.status(), enc.toString());
        assertTrue(enc.out().contains("frame 0 key") && enc.out().contains("frame 3 key") && enc.out().contains("frame 2 inter"), enc.out());
        Path out = dir.resolve("out.y4m");
        CliRun refused = CliRun.of("decode", tfy.toString(), "-o", out.toString());
        assertEquals(1, refused.status(), refused.toString());
        assertTrue(refused.err().contains("no trained weights") && refused.err().contains("--allow-untrained"), refused.err());
        assertFalse(Files.exists(out));
        CliRun dec = CliRun.of("decode", tfy.toString(), "-o", out.toString(), "--metrics", clip.toString(), "--allow-untrained");
        assertEquals(0, dec.status(), dec.toString());
        assertTrue(dec.out().contains("mean:") && dec.out().contains("PSNR"), dec.out());
        assertArrayEquals(Files.readAllBytes(recon), Files.readAllBytes(out), "decoded frames equal the encoder's reconstruction");
        Path frames = dir.resolve("frames");
        assertEquals(0, CliRun.of("decode", tfy.toString(), "-o", frames.toString(), "--allow-untrained").status());
        try (Stream<Path> s = Files.list(frames)) {
            assertEquals(4, s.count());
        }
        CliRun fromFrames = CliRun.of(with(new String[] {"encode", frames.toString(), "-o", dir.resolve("f.tfy").toString()}, SMALL));
        assertEquals(0, fromFrames.status(), fromFrames.toString());
    }

    @Test
    void damagedVideoExitsWithStatusTwoAndWritesNothing(@TempDir Path dir) throws Exception {
        Path photo = CliRun.dev8Png(dir, "pier.png", 200, 200);
        Path clip = dir.resolve("clip.y4m");
        assertEquals(0, CliRun.of("clip", photo.toString(), "-o", clip.toString(), "--frames", "2", "--size", "128x128").status());
        Path tfy = dir.resolve("clip.tfy");
        assertEquals(0, CliRun.of(with(new String[] {"encode", clip.toString(), "-o", tfy.toString()}, SMALL)).status());
        byte[] good = Files.readAllBytes(tfy);
        byte[] bad = good.clone();
        bad[good.length / 2] ^= 0x10;
        Path damaged = dir.resolve("damaged.tfy");
        Files.write(damaged, bad);
        CliRun run = CliRun.of("decode", damaged.toString(), "-o", dir.resolve("out.y4m").toString(), "--allow-untrained");
        assertEquals(2, run.status(), run.toString());
        // The untrained-weights warning comes first; the failure is one line.
        String last = run.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("tinify decode: " + damaged + ": frame"), run.err());
        assertEquals(1, run.err().strip().lines().filter(l -> l.startsWith("tinify")).count(), run.err());
        Files.write(damaged, Arrays.copyOf(good, good.length - 3));
        assertEquals(2, CliRun.of("decode", damaged.toString(), "-o", dir.resolve("out.y4m").toString(), "--allow-untrained").status());
        try (Stream<Path> s = Files.list(dir)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().contains("out.y4m")), "no output or temporary file");
        }
        CliRun wrongModel = CliRun.of("encode", clip.toString(), "-m", "bmshj2018-hyperprior", "-q", "1", "-o", tfy.toString());
        assertEquals(1, wrongModel.status());
        assertTrue(wrongModel.err().contains("video needs -m ssf2020"), wrongModel.err());
    }
}
