package dev.tinify.runtime.video.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.runtime.container.TinifyFormatException;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.video.files.Chroma;
import dev.tinify.runtime.video.files.ColorSpace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The .tfy video: round trip, keyframe index and seeking, and every damaged variant refused as a format error. */
class VideoFileTest {
    private static final VideoHeader HEADER = new VideoHeader("ssf2020", 16, 24, "00112233445566778899aabbccddeeff", 3, "mse", "ans",
            200, 100, new Padding(28, 28, 14, 14), 30000, 1001, 2, Chroma.C420, ColorSpace.COMPRESSAI);

    private static List<FrameRecord> frames(int n) {
        SplittableRandom r = new SplittableRandom(7);
        List<FrameRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean key = HEADER.isKeyframe(i);
            List<FrameRecord.Part> parts = new ArrayList<>();
            for (String name : key ? FrameRecord.KEY_PARTS : FrameRecord.INTER_PARTS) {
                byte[] y = new byte[5 + r.nextInt(40)];
                byte[] z = new byte[1 + r.nextInt(5)];
                for (byte[] b : List.of(y, z)) {
                    for (int k = 0; k < b.length; k++) {
                        b[k] = (byte) r.nextInt(256);
                    }
                }
                parts.add(new FrameRecord.Part(name, List.of(y, z), 1, 2));
            }
            out.add(new FrameRecord(i, key, parts));
        }
        return out;
    }

    private static Path write(Path dir, List<FrameRecord> frames) throws IOException {
        Path file = dir.resolve("clip.tfy");
        try (VideoFileWriter w = VideoFileWriter.create(file, HEADER)) {
            for (FrameRecord f : frames) {
                w.write(f);
            }
            assertFalse(Files.exists(file));
            w.finish();
        }
        return file;
    }

    private static void assertSame(FrameRecord a, FrameRecord b) {
        assertEquals(a.index(), b.index());
        assertEquals(a.keyframe(), b.keyframe());
        for (int p = 0; p < a.parts().size(); p++) {
            assertEquals(a.parts().get(p).name(), b.parts().get(p).name());
            assertEquals(a.parts().get(p).zHeight(), b.parts().get(p).zHeight());
            assertEquals(a.parts().get(p).zWidth(), b.parts().get(p).zWidth());
            for (int s = 0; s < 2; s++) {
                assertArrayEquals(a.parts().get(p).streams().get(s), b.parts().get(p).streams().get(s));
            }
        }
    }

    @Test
    void roundTripsAndSeeksToKeyframes(@TempDir Path dir) throws IOException {
        List<FrameRecord> frames = frames(5);
        Path file = write(dir, frames);
        assertTrue(VideoFileReader.isVideo(file));
        try (VideoFileReader r = VideoFileReader.open(file)) {
            assertEquals(HEADER, r.header());
            for (FrameRecord f : frames) {
                assertSame(f, r.next());
            }
            assertNull(r.next());
            List<VideoFileReader.Keyframe> keys = r.keyframes();
            assertEquals(List.of(0L, 2L, 4L), keys.stream().map(VideoFileReader.Keyframe::frame).toList());
            assertEquals(2, r.seek(3));
            assertSame(frames.get(2), r.next());
            assertSame(frames.get(3), r.next());
            assertEquals(4, r.seek(4));
            assertSame(frames.get(4), r.next());
            assertNull(r.next());
        }
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file left behind");
        }
    }

    @Test
    void writerRefusesFramesOutOfTheKeyframePattern(@TempDir Path dir) throws IOException {
        List<FrameRecord> frames = frames(3);
        try (VideoFileWriter w = VideoFileWriter.create(dir.resolve("x.tfy"), HEADER)) {
            w.write(frames.get(0));
            assertThrows(IllegalArgumentException.class, () -> w.write(frames.get(2)));
        }
        try (var s = Files.list(dir)) {
            assertEquals(0, s.count(), "an unfinished writer leaves nothing");
        }
    }

    /** Reads the whole file: header, every frame, index and trailer. */
    private static void readAll(Path file) throws IOException {
        try (VideoFileReader r = VideoFileReader.open(file)) {
            while (r.next() != null) {
                // every record is parsed and checked
            }
            r.keyframes();
        }
    }

    @Test
    void everyTruncationAndEveryFlippedByteIsAFormatError(@TempDir Path dir) throws IOException {
        byte[] good = Files.readAllBytes(write(dir, frames(3)));
        Path bad = dir.resolve("bad.tfy");
        for (int n = 0; n < good.length; n++) {
            Files.write(bad, Arrays.copyOf(good, n));
            assertThrows(TinifyFormatException.class, () -> readAll(bad), "cut to " + n + " bytes");
        }
        for (int i = 0; i < good.length; i++) {
            byte[] b = good.clone();
            b[i] ^= (byte) (1 << (i % 8));
            Files.write(bad, b);
            TinifyFormatException e = assertThrows(TinifyFormatException.class, () -> readAll(bad), "byte " + i + " flipped");
            assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
        }
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        Files.write(bad, longer);
        assertThrows(TinifyFormatException.class, () -> readAll(bad));
    }
}
