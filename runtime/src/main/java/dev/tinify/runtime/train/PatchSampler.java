package dev.tinify.runtime.train;

import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.RgbImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Random square patches from a folder of images, with the {@link Augmentation}s asked for, as a
 * pure function of (seed, sample number): sample {@code k} comes from epoch {@code k / n} (a
 * seeded shuffle of the {@code n} files) and its crop and augmentations from a generator seeded by
 * {@code (seed, k)}. Resuming at any step therefore needs only the seed and the step, and two runs
 * with one seed see the same patches. The crop and flips are drawn first, whatever else is asked
 * for, so runs with and without channel orders see the same crops.
 */
public final class PatchSampler implements TrainingSamples {
    /** The six orders of the R, G, B planes; the first keeps them. */
    private static final int[][] CHANNEL_ORDERS = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};

    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".ppm", ".pnm", ".pgm", ".bmp");

    /**
     * Decoded images kept in memory, up to a budget in bytes: decoding a 256x256 PNG takes about 25
     * ms, 200 ms per batch of 8. 8-bit images are kept as bytes, a quarter of their float size.
     */
    private static final long CACHE_BYTES = Math.min(Runtime.getRuntime().maxMemory() / 3, 1L << 30);

    private final List<Path> files;
    private final Map<Integer, Decoded> cache = new HashMap<>();
    private long cachedBytes;
    private final int patch;
    private final long seed;
    private final boolean flips;
    private final boolean channels;
    private long cachedEpoch = -1;
    private int[] order = new int[0];

    /**
     * @param dir folder whose image files (png, jpg, jpeg, ppm, pnm, pgm, bmp; sorted by name) are sampled
     * @param patch side of the square patches
     * @param seed seed of the shuffles, crops and augmentations
     * @param augment what each patch may go through besides its crop
     * @throws IllegalArgumentException if the folder cannot be listed or holds no image
     */
    public PatchSampler(Path dir, int patch, long seed, Set<Augmentation> augment) {
        if (patch < 1) {
            throw new IllegalArgumentException("patch size must be positive, got " + patch);
        }
        this.files = listImages(dir);
        this.patch = patch;
        this.seed = seed;
        this.flips = augment.contains(Augmentation.FLIPS);
        this.channels = augment.contains(Augmentation.CHANNELS);
    }

    /** Image files of a folder, sorted by name. */
    public static List<Path> listImages(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": not a folder of images");
        }
        List<Path> out;
        try (Stream<Path> s = Files.list(dir)) {
            out = s.filter(p -> Files.isRegularFile(p) && isImage(p)).sorted().toList();
        } catch (IOException e) {
            throw new IllegalArgumentException(dir + ": cannot list the folder: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(dir + ": no image files (expected " + EXTENSIONS + ")");
        }
        return out;
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(n::endsWith);
    }

    public int size() {
        return files.size();
    }

    public int patch() {
        return patch;
    }

    @Override
    public int floatsPerSample() {
        return Math.multiplyExact(3 * patch, patch);
    }

    @Override
    public Shape shape(int count) {
        return new Shape(count, 3, patch, patch);
    }

    /**
     * Writes samples {@code first .. first + count - 1} as one [count, 3, patch, patch] batch in
     * row-major float order into {@code out}, from its index 0 (a direct buffer can back an
     * NDArray without a copy, and be reused from step to step).
     *
     * @throws IllegalArgumentException if an image cannot be read or is smaller than the patch, or
     *     {@code out} is too small
     */
    @Override
    public void batch(long first, int count, FloatBuffer out) {
        int plane = patch * patch;
        if (out.capacity() < (long) count * 3 * plane) {
            throw new IllegalArgumentException("batch of " + count + " patches of " + patch + "x" + patch + " needs "
                    + (long) count * 3 * plane + " floats, the buffer holds " + out.capacity());
        }
        float[] row = new float[patch];
        for (int i = 0; i < count; i++) {
            sample(first + i, out, i * 3 * plane, row);
        }
    }

    private void sample(long k, FloatBuffer out, int offset, float[] row) {
        int n = files.size();
        int index = order(k / n)[(int) (k % n)];
        Path file = files.get(index);
        Decoded img = image(index);
        int h = img.height();
        int w = img.width();
        if (h < patch || w < patch) {
            throw new IllegalArgumentException(file + ": image is " + h + "x" + w + ", smaller than the " + patch + "x" + patch
                    + " training patch");
        }
        SplittableRandom r = new SplittableRandom(mix(seed, k));
        int top = r.nextInt(h - patch + 1);
        int left = r.nextInt(w - patch + 1);
        // Drawn even when unused, so that the crops and flips do not depend on the other choices.
        boolean flipX = r.nextBoolean() && flips;
        boolean flipY = r.nextBoolean() && flips;
        int[] order = CHANNEL_ORDERS[channels ? r.nextInt(CHANNEL_ORDERS.length) : 0];
        for (int c = 0; c < 3; c++) {
            int source = order[c];
            for (int y = 0; y < patch; y++) {
                int sy = top + (flipY ? patch - 1 - y : y);
                img.row((source * h + sy) * w + left, row, flipX);
                out.put(offset + (c * patch + y) * patch, row);
            }
        }
    }

    private Decoded image(int index) {
        Decoded img = cache.get(index);
        if (img != null) {
            return img;
        }
        Path file = files.get(index);
        RgbImage decoded;
        try {
            decoded = ImageFiles.read(file);
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalArgumentException(file + ": cannot read training image: " + e.getMessage(), e);
        }
        img = Decoded.of(decoded);
        if (cachedBytes + img.bytes() <= CACHE_BYTES) {
            cache.put(index, img);
            cachedBytes += img.bytes();
        }
        return img;
    }

    /**
     * A decoded image as 8-bit samples when every sample is {@code v / 255f} for an integer v
     * (then {@code v / 255f} gives back the same floats), else as its floats.
     */
    private record Decoded(int height, int width, byte @Nullable [] samples, float @Nullable [] floats) {
        static Decoded of(RgbImage img) {
            float[] f = img.data();
            byte[] b = new byte[f.length];
            for (int i = 0; i < f.length; i++) {
                int v = Math.round(f[i] * 255f);
                if (v < 0 || v > 255 || v / 255f != f[i]) {
                    return new Decoded(img.height(), img.width(), null, f);
                }
                b[i] = (byte) v;
            }
            return new Decoded(img.height(), img.width(), b, null);
        }

        long bytes() {
            return samples != null ? samples.length : (long) Float.BYTES * floats.length;
        }

        /** Copies {@code row.length} samples from flat index {@code from}, reversed if {@code flip}. */
        void row(int from, float[] row, boolean flip) {
            int n = row.length;
            if (samples != null) {
                for (int x = 0; x < n; x++) {
                    row[x] = (samples[from + (flip ? n - 1 - x : x)] & 0xff) / 255f;
                }
            } else if (!flip) {
                System.arraycopy(floats, from, row, 0, n);
            } else {
                for (int x = 0; x < n; x++) {
                    row[x] = floats[from + n - 1 - x];
                }
            }
        }
    }

    /** The file order of an epoch: a seeded Fisher-Yates shuffle, kept for the current epoch. */
    private int[] order(long epoch) {
        if (epoch != cachedEpoch) {
            int n = files.size();
            int[] o = new int[n];
            for (int i = 0; i < n; i++) {
                o[i] = i;
            }
            SplittableRandom r = new SplittableRandom(mix(~seed, epoch));
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = o[i];
                o[i] = o[j];
                o[j] = t;
            }
            order = o;
            cachedEpoch = epoch;
        }
        return order;
    }

    /** A well-mixed 64-bit seed from two numbers (SplitMix64's finalizer over their combination). */
    static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
