package dev.tinify.runtime.train;

import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.pointcloud.Normalization;
import dev.tinify.runtime.pointcloud.PointCloud;
import dev.tinify.runtime.pointcloud.PointCloudFiles;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Training clouds from a folder of PLY clouds and OFF meshes, as CompressAI prepares ModelNet:
 * each sample draws a file and {@code points} points from it (fresh points on a mesh's surface,
 * or a random subset of a cloud's points), then centres and scales them into [-1, 1]
 * ({@link Normalization#fit}). Sample {@code k} depends only on (seed, k), so a resumed run sees
 * what an uninterrupted one would. Every file is read once, when the sampler is made.
 */
public final class CloudSampler implements TrainingSamples {
    private final List<PointCloudFiles.Source> sources;
    private final int points;
    private final long seed;

    /**
     * @param dir folder whose {@code .ply} and {@code .off} files (sorted by name) are sampled
     * @param points points per sample
     * @param seed seed of the draws
     * @throws IllegalArgumentException if the folder holds no cloud or a file cannot be read (naming it)
     */
    public CloudSampler(Path dir, int points, long seed) {
        if (points < 1) {
            throw new IllegalArgumentException("points per cloud must be positive, got " + points);
        }
        this.sources = read(dir);
        this.points = points;
        this.seed = seed;
    }

    /** The PLY and OFF files of a folder, sorted by name. */
    public static List<Path> listClouds(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": not a folder of point clouds");
        }
        List<Path> out;
        try (Stream<Path> s = Files.list(dir)) {
            out = s.filter(p -> Files.isRegularFile(p) && PointCloudFiles.hasCloudName(p)).sorted().toList();
        } catch (IOException e) {
            throw new IllegalArgumentException(dir + ": cannot list the folder: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(dir + ": no point clouds (expected .ply or .off files)");
        }
        return out;
    }

    private static List<PointCloudFiles.Source> read(Path dir) {
        List<PointCloudFiles.Source> out = new ArrayList<>();
        for (Path f : listClouds(dir)) {
            try {
                out.add(PointCloudFiles.source(f));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read training cloud " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * One fixed, normalized sample of each file of {@code dir} (seeded per file), for validation:
     * {@code points} x 3 floats each.
     */
    public static List<float[]> validation(Path dir, int points, long seed) {
        List<PointCloudFiles.Source> sources = read(dir);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            out.add(normalized(sources.get(i).sample(points, PatchSampler.mix(seed, i))));
        }
        return out;
    }

    private static float[] normalized(PointCloud c) {
        return Normalization.fit(c).apply(c.xyz());
    }

    public int size() {
        return sources.size();
    }

    @Override
    public int floatsPerSample() {
        return 3 * points;
    }

    @Override
    public Shape shape(int count) {
        return new Shape(count, points, 3);
    }

    @Override
    public void batch(long first, int count, FloatBuffer out) {
        if (out.capacity() < (long) count * floatsPerSample()) {
            throw new IllegalArgumentException("a batch of " + count + " clouds of " + points + " points needs "
                    + (long) count * floatsPerSample() + " floats, the buffer holds " + out.capacity());
        }
        for (int k = 0; k < count; k++) {
            SplittableRandom rnd = new SplittableRandom(PatchSampler.mix(seed, first + k));
            PointCloudFiles.Source source = sources.get(rnd.nextInt(sources.size()));
            out.put(k * floatsPerSample(), normalized(source.sample(points, rnd.nextLong())));
        }
    }
}
