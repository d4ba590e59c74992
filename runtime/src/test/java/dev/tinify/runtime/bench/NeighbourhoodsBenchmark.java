package dev.tinify.runtime.bench;

import dev.tinify.runtime.pointcloud.Neighbourhoods;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Neighbourhood operations on a surface cloud of {@code points} points (a sphere of radius 0.9, as
 * the fixtures, points drawn as normalised Gaussians), one thread:
 * <ul>
 *   <li>{@code fpsThird}: farthest point sampling of a third of the points (hrtzxf2022's rate);
 *   <li>{@code fps4096}: farthest point sampling of 4096 points;
 *   <li>{@code knn8}: the 8 nearest of the cloud for each of the 4096 FPS picks, and the nearest pick for every point;
 *   <li>{@code ballQuery}: radius 0.1, 32 samples, around each of the 4096 picks.
 * </ul>
 * Run from the repository root:
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -pl runtime -am -Dmdep.outputFile=/tmp/cp-nb.txt
 * java -cp runtime/target/test-classes:runtime/target/classes:dsl/target/classes:$(cat /tmp/cp-nb.txt) \
 *     org.openjdk.jmh.Main NeighbourhoodsBenchmark -f 1 -wi 2 -i 3
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class NeighbourhoodsBenchmark {
    static final int PICKS = 4096;

    @Param({"100000"})
    public int points;

    private float[] cloud;
    private float[] picks;

    @Setup
    public void setUp() {
        Random rnd = new Random(0);
        cloud = new float[3 * points];
        for (int i = 0; i < points; i++) {
            double x = rnd.nextGaussian();
            double y = rnd.nextGaussian();
            double z = rnd.nextGaussian();
            double s = 0.9 / Math.sqrt(x * x + y * y + z * z);
            cloud[3 * i] = (float) (x * s);
            cloud[3 * i + 1] = (float) (y * s);
            cloud[3 * i + 2] = (float) (z * s);
        }
        int[] idx = Neighbourhoods.farthestPointSample(cloud, points, PICKS);
        picks = new float[3 * PICKS];
        for (int i = 0; i < PICKS; i++) {
            System.arraycopy(cloud, 3 * idx[i], picks, 3 * i, 3);
        }
    }

    @Benchmark
    public int[] fpsThird() {
        return Neighbourhoods.farthestPointSample(cloud, points, (int) Math.rint(points / 3.0));
    }

    @Benchmark
    public int[] fps4096() {
        return Neighbourhoods.farthestPointSample(cloud, points, PICKS);
    }

    @Benchmark
    public int[][] knn8() {
        return new int[][] {Neighbourhoods.knn(cloud, points, picks, PICKS, 8), Neighbourhoods.knn(picks, PICKS, cloud, points, 1)};
    }

    @Benchmark
    public Neighbourhoods.BallQuery ballQuery() {
        return Neighbourhoods.ballQuery(cloud, points, picks, PICKS, 0.1, 32);
    }
}
