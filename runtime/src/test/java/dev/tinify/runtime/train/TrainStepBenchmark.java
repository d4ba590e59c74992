package dev.tinify.runtime.train;

import dev.tinify.dsl.Metric;
import ai.djl.engine.Engine;
import dev.tinify.dsl.SpecReader;
import dev.tinify.runtime.compile.SpecCompiler;
import dev.tinify.runtime.model.CompressionModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * Seconds per training step of bmshj2018-hyperprior (forward, backward, gradient correction,
 * clipping, both Adam steps) on batches of 8 patches from the shared 256x256 training crops, at
 * two sizes ({@code size}): CompressAI's default model (N=128, M=192) on 256x256 patches, and the
 * size the zoo weights are trained at (N=64, M=96) on 128x128 patches. Steps per second = 1 /
 * score. Each measured iteration is one step; the first steps also decode images (about 25 ms per
 * crop, cached after).
 *
 * <p>Run from the repository root on an otherwise idle machine (another process on one of the
 * cores slows PyTorch's 2-thread operations several-fold):
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -pl runtime -am -Dmdep.outputFile=cp.txt
 * java -cp runtime/target/test-classes:runtime/target/classes:dsl/target/classes:$(cat runtime/cp.txt) \
 *     org.openjdk.jmh.Main TrainStepBenchmark -rf json -rff train-step.json
 * </pre>
 * Add {@code -p size=N64-M96-128px} (or {@code N128-M192-256px}) for one size only. System
 * properties {@code tinify.specs} (default {@code specs}) and {@code tinify.shared} (default
 * {@code ../shared}) locate the specs and the data; pass them to the forked JVM with
 * {@code -jvmArgsAppend}. For where the time of a step goes, see {@code TrainStepProfile}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=2", "-Dai.djl.pytorch.num_interop_threads=1"})
public class TrainStepBenchmark {
    private static final Pattern SIZE = Pattern.compile("N(\\d+)-M(\\d+)-(\\d+)px");

    @Param({"8"})
    int batch;

    /** Model and patch size: {@code N<n>-M<m>-<patch>px}. */
    @Param({"N128-M192-256px", "N64-M96-128px"})
    String size;

    private CompressionModel model;
    private Trainer trainer;
    private Path out;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path specs = Path.of(System.getProperty("tinify.specs", "specs"));
        Path data = Path.of(System.getProperty("tinify.shared", "../shared"), "data", "train256");
        Engine.getInstance().setRandomSeed(1);
        Matcher m = SIZE.matcher(size);
        if (!m.matches()) {
            throw new IllegalArgumentException("size must look like N128-M192-256px, got " + size);
        }
        int patch = Integer.parseInt(m.group(3));
        model = SpecCompiler.compile(SpecReader.read(specs.resolve("bmshj2018-hyperprior.yaml")),
                Map.of("N", Integer.parseInt(m.group(1)), "M", Integer.parseInt(m.group(2))));
        out = Files.createTempDirectory("tinify-bench");
        TrainingConfig config = TrainingConfig.builder(data, out, Metric.MSE, 0.0130, Long.MAX_VALUE)
                .batch(batch).patch(patch).validateEvery(0).checkpointEvery(0).build();
        trainer = new Trainer(model, config);
    }

    @Benchmark
    public double step() {
        return trainer.trainStep().loss();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        trainer.close();
        model.close();
        Files.deleteIfExists(out);
    }
}
