package dev.tinify.runtime.train;

import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.video.files.ColorSpace;
import dev.tinify.runtime.video.files.FrameReader;
import dev.tinify.runtime.video.files.PngFrames;
import dev.tinify.runtime.video.files.VideoFormat;
import dev.tinify.runtime.video.files.Y4m;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Training groups of consecutive frames from a folder of clips, as CompressAI's
 * {@code VideoFolder} with {@code RandomCrop}: a clip is a Y4M file (colour converted as
 * CompressAI's video evaluation does: BT.709, full range) or a sub-folder of numbered PNG frames.
 * Group {@code g} takes {@code frames} consecutive frames of one clip from a random start, all
 * cropped at one random {@code patch x patch} window; clip, start and window depend only on the
 * seed and {@code g}, so a resumed run reads what an uninterrupted one would.
 */
final class ClipSampler {
    /** Most clips a folder may hold, so that a listing cannot demand unbounded work. */
    static final int MAX_CLIPS = 100_000;

    private record Clip(Path path, int frames, int height, int width) {}

    private final List<Clip> clips = new ArrayList<>();
    private final int patch;
    private final int frames;
    private final long seed;

    /**
     * Scans every clip of {@code dir} once (its size and frame count).
     *
     * @throws IllegalArgumentException if the folder holds no clip, or a clip cannot be read, has
     *     fewer than {@code frames} frames or frames smaller than the patch
     */
    ClipSampler(Path dir, int patch, int frames, long seed) {
        this.patch = patch;
        this.frames = frames;
        this.seed = seed;
        for (Path p : listClips(dir)) {
            VideoFormat f;
            int n = 0;
            try (FrameReader r = open(p)) {
                f = r.format();
                while (r.next() != null) {
                    n++;
                }
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException(p + ": cannot read the clip: " + e.getMessage(), e);
            }
            if (n < frames) {
                throw new IllegalArgumentException(p + ": the clip has " + n + " frames, a training group needs " + frames);
            }
            if (f.height() < patch || f.width() < patch) {
                throw new IllegalArgumentException(p + ": frames are " + f.width() + "x" + f.height() + ", smaller than the "
                        + patch + "x" + patch + " training patch");
            }
            clips.add(new Clip(p, n, f.height(), f.width()));
        }
    }

    /** The clips of a folder, sorted by name: {@code *.y4m} files and sub-folders (of PNG frames). */
    static List<Path> listClips(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": not a folder of clips");
        }
        List<Path> out;
        try (Stream<Path> s = Files.list(dir)) {
            out = s.filter(p -> Files.isDirectory(p) || Files.isRegularFile(p) && p.getFileName().toString().toLowerCase(Locale.ROOT)
                    .endsWith(".y4m")).sorted().limit(MAX_CLIPS + 1L).toList();
        } catch (IOException e) {
            throw new IllegalArgumentException(dir + ": cannot list the folder: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(dir + ": no clips (expected .y4m files or folders of numbered PNG frames)");
        }
        if (out.size() > MAX_CLIPS) {
            throw new IllegalArgumentException(dir + ": more than " + MAX_CLIPS + " clips");
        }
        return out;
    }

    /** A clip's frames, one at a time. */
    static FrameReader open(Path clip) throws IOException {
        return Files.isDirectory(clip) ? PngFrames.open(clip, 25, 1) : Y4m.open(clip, ColorSpace.COMPRESSAI);
    }

    /**
     * Frames {@code start} to {@code start + count - 1} of {@code clip}.
     *
     * @throws IllegalArgumentException if the clip cannot be read or is shorter
     */
    static List<RgbImage> read(Path clip, int start, int count) {
        List<RgbImage> out = new ArrayList<>();
        try (FrameReader r = open(clip)) {
            for (int i = 0; i < start + count; i++) {
                RgbImage f = r.next();
                if (f == null) {
                    throw new IllegalArgumentException(clip + ": the clip ends at frame " + i + ", before frame " + (start + count));
                }
                if (i >= start) {
                    out.add(f);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(clip + ": cannot read the clip: " + e.getMessage(), e);
        }
        return out;
    }

    int size() {
        return clips.size();
    }

    /**
     * Writes groups {@code first .. first + count - 1} into {@code out} frame by frame: frame
     * {@code f} of group {@code i} is the [3, patch, patch] block {@code f * count + i}, so that
     * each frame of the batch is one contiguous [count, 3, patch, patch] array.
     */
    void batch(long first, int count, FloatBuffer out) {
        int plane = patch * patch;
        if (out.capacity() < (long) frames * count * 3 * plane) {
            throw new IllegalArgumentException("a batch of " + count + " groups of " + frames + " frames needs "
                    + (long) frames * count * 3 * plane + " floats, the buffer holds " + out.capacity());
        }
        for (int i = 0; i < count; i++) {
            SplittableRandom r = new SplittableRandom(PatchSampler.mix(seed, first + i));
            Clip c = clips.get(r.nextInt(clips.size()));
            int start = r.nextInt(c.frames() - frames + 1);
            int top = r.nextInt(c.height() - patch + 1);
            int left = r.nextInt(c.width() - patch + 1);
            Padding crop = new Padding(left, c.width() - patch - left, top, c.height() - patch - top);
            List<RgbImage> group = read(c.path(), start, frames);
            for (int f = 0; f < frames; f++) {
                out.put((f * count + i) * 3 * plane, group.get(f).crop(crop).data());
            }
        }
    }
}
