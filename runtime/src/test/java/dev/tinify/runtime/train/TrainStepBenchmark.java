package dev.tinify.runtime.train;

import ai.djl.engine.Engine;
import dev.tinify.dsl.SpecReader;
import dev.tinify.runtime.compile.SpecCompiler;
import dev.tinify.runtime.model.CompressionModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Seconds per training step of bmshj2018-hyperprior at its default size (N=128, M=192) on batches
 * of 8 patches of 256x256 from the shared training crops: forward, backward, clipping, both Adam
 * steps. Run from the repository root after {@code mvn -o test-compile -pl runtime -am}:
 * <pre>
 * java -cp runtime/target/test-classes:runtime/target/classes:dsl/target/classes:$(cat cp.txt) \
 *     org.openjdk.jmh.Main TrainStepBenchmark
 * </pre>
 * ({@code cp.txt} from {@code mvn -o dependency:build-classpath -pl runtime -Dmdep.outputFile=cp.txt}).
 * System properties {@code tinify.specs} and {@code tinify.shared} locate the specs and the data.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=2", "-Dai.djl.pytorch.num_interop_threads=1"})
public class TrainStepBenchmark {
    @Param({"8"})
    int batch;

    @Param({"256"})
    int patch;

    private CompressionModel model;
    private Trainer trainer;
    private Path out;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path specs = Path.of(System.getProperty("tinify.specs", "specs"));
        Path data = Path.of(System.getProperty("tinify.shared", "../shared"), "data", "train256");
        Engine.getInstance().setRandomSeed(1);
        model = SpecCompiler.compile(SpecReader.read(specs.resolve("bmshj2018-hyperprior.yaml")), Map.of());
        out = Files.createTempDirectory("tinify-bench");
        TrainingConfig config = TrainingConfig.builder(data, out, RateDistortionLoss.Metric.MSE, 0.0130, Long.MAX_VALUE)
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
