package dev.tinify.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.Tinify;
import dev.tinify.codec.Calibration;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.model.CompressionModel;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Seconds to encode ({@code compress}: analysis, hyperprior, context model, entropy coding) and
 * decode ({@code decompress}, up to the clamped reconstruction) one 768x512 photograph
 * ({@code data/dev8/sunset.png}) with each architecture at the sizes of CompressAI's CPU timing
 * anchors ({@code anchors/compressai-cpu-timings.json}: its default, quality-3 zoo sizes). The
 * weights are random, calibrated by {@link Calibration} as the anchors' were, so that the latents
 * are not all zero and entropy coding does real work.
 *
 * <p>Run one architecture from the repository root (the reactor writes the models module's test
 * class path last, so the file ends up holding it):
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -pl models -am -Dmdep.outputFile=/tmp/tinify-cp.txt -Dmdep.includeScope=test
 * java -Dtinify.shared=../shared -cp models/target/test-classes:models/target/classes:$(cat /tmp/tinify-cp.txt) \
 *     org.openjdk.jmh.Main CodecBenchmark -p arch=mbt2018
 * </pre>
 * Add {@code -wi 1 -i 3} for a short run, and {@code -Djmh.ignoreLock=true} when another JMH run
 * holds its lock file.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=2",
        "-Dai.djl.pytorch.num_interop_threads=1"})
public class CodecBenchmark {
    /** CompressAI's constructor arguments in the timing anchors. */
    static final Map<String, Map<String, ?>> SIZES = Map.of(
            "bmshj2018-factorized", Map.of("N", 128, "M", 192),
            "bmshj2018-factorized-relu", Map.of("N", 128, "M", 192),
            "bmshj2018-hyperprior", Map.of("N", 128, "M", 192),
            "mbt2018-mean", Map.of("N", 128, "M", 192),
            "mbt2018", Map.of("N", 192, "M", 192),
            "cheng2020-anchor", Map.of("N", 128),
            "cheng2020-attn", Map.of("N", 128),
            "cheng2020-anchor-checkerboard", Map.of("N", 192),
            "elic2022-official", Map.of("N", 192, "M", 320, "groups", List.of(16, 16, 32, 64, 192)),
            "elic2022-chandelier", Map.of("N", 192, "M", 320, "groups", List.of(16, 16, 32, 64, 192)));

    @Param({"bmshj2018-factorized", "bmshj2018-factorized-relu", "bmshj2018-hyperprior", "mbt2018-mean", "mbt2018",
            "cheng2020-anchor", "cheng2020-attn", "cheng2020-anchor-checkerboard", "elic2022-official", "elic2022-chandelier"})
    public String arch;

    private CompressionModel model;
    private NDManager data;
    private NDArray x;
    private CompressionModel.Compressed compressed;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Engine.getInstance().setRandomSeed(0);
        RgbImage image = AnchorImage.read();
        model = Tinify.build(arch, SIZES.get(arch));
        data = NDManager.newBaseManager();
        x = image.toNDArray(data);
        Calibration.apply(model, x);
        model.update(true);
        compressed = model.compress(x);
    }

    @Benchmark
    public CompressionModel.Compressed encode() {
        return model.compress(x);
    }

    @Benchmark
    public float decode() {
        try (NDManager m = data.newSubManager()) {
            return model.decompress(m, compressed.strings(), compressed.shape()).getFloat(0, 0, 0, 0);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        data.close();
        model.close();
    }
}
