package dev.tinify.runtime.video.files;

import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.RgbImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A clip as a folder of numbered PNG frames: every {@code *.png} whose name ends in a number
 * ({@code 0001.png}, {@code frame_12.png}) is a frame, in the order of that number; the numbers
 * must be distinct and every frame the same size. Frames are RGB already, so no colour conversion
 * applies; the chroma of the format is reported as 4:4:4. Written folders name frames
 * {@code frame_00001.png}, ...
 */
public final class PngFrames {
    private static final Pattern NUMBERED = Pattern.compile(".*?(\\d+)\\.png", Pattern.CASE_INSENSITIVE);
    /** Most frames a folder may hold, so that a listing cannot demand unbounded work. */
    public static final int MAX_FRAMES = 1_000_000;

    private PngFrames() {}

    /** Opens the frames of {@code dir}, played at {@code fpsNum/fpsDen} frames per second. */
    public static FrameReader open(Path dir, int fpsNum, int fpsDen) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": not a folder of PNG frames");
        }
        List<Path> frames = new ArrayList<>();
        List<Long> numbers = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Matcher m = NUMBERED.matcher(p.getFileName().toString());
                if (m.matches() && Files.isRegularFile(p)) {
                    if (frames.size() >= MAX_FRAMES) {
                        throw new IOException(dir + ": more than " + MAX_FRAMES + " frames");
                    }
                    frames.add(p);
                    String digits = m.group(1);
                    numbers.add(digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits));
                }
            }
        }
        if (frames.isEmpty()) {
            throw new IOException(dir + ": no numbered PNG frames (expected names such as 0001.png)");
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingLong(numbers::get));
        List<Path> sorted = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            if (i > 0 && numbers.get(order.get(i)).equals(numbers.get(order.get(i - 1)))) {
                throw new IOException(dir + ": frames " + frames.get(order.get(i - 1)).getFileName() + " and "
                        + frames.get(order.get(i)).getFileName() + " have the same number");
            }
            sorted.add(frames.get(order.get(i)));
        }
        RgbImage first = ImageFiles.read(sorted.get(0));
        VideoFormat format = new VideoFormat(first.width(), first.height(), fpsNum, fpsDen, Chroma.C444);
        return new Reader(sorted, first, format);
    }

    /** A writer into {@code dir}, which must not exist yet; the folder appears on {@link FrameWriter#finish()}. */
    public static FrameWriter create(Path dir) throws IOException {
        if (Files.exists(dir)) {
            throw new IOException(dir + ": already exists (frames are written into a new folder)");
        }
        Path abs = dir.toAbsolutePath();
        Path temp = Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + ".");
        // Temporary folders are owner-only; a published folder of frames looks like an ordinary one.
        if (Files.getFileStore(temp).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)) {
            Files.setPosixFilePermissions(temp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return new Writer(abs, temp);
    }

    private static final class Reader implements FrameReader {
        private final List<Path> frames;
        private final VideoFormat format;
        private @Nullable RgbImage first;
        private int next;

        Reader(List<Path> frames, RgbImage first, VideoFormat format) {
            this.frames = frames;
            this.first = first;
            this.format = format;
        }

        @Override
        public VideoFormat format() {
            return format;
        }

        @Override
        public @Nullable RgbImage next() throws IOException {
            if (next >= frames.size()) {
                return null;
            }
            Path p = frames.get(next++);
            RgbImage img = first != null ? first : ImageFiles.read(p);
            first = null;
            if (img.width() != format.width() || img.height() != format.height()) {
                throw new IOException(p + ": frame is " + img.width() + "x" + img.height() + ", the clip is "
                        + format.width() + "x" + format.height());
            }
            return img;
        }

        @Override
        public long expectedFrames() {
            return frames.size();
        }

        @Override
        public void close() {
            first = null;
        }
    }

    private static final class Writer implements FrameWriter {
        private final Path target;
        private final Path temp;
        private int count;
        private boolean finished;

        Writer(Path target, Path temp) {
            this.target = target;
            this.temp = temp;
        }

        @Override
        public void write(RgbImage frame) throws IOException {
            ImageFiles.writePng(frame, temp.resolve(String.format(Locale.ROOT, "frame_%05d.png", ++count)));
        }

        @Override
        public void finish() throws IOException {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            finished = true;
        }

        @Override
        public void close() throws IOException {
            if (!finished) {
                try (Stream<Path> s = Files.list(temp)) {
                    for (Path p : (Iterable<Path>) s::iterator) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(temp);
            }
        }
    }
}
