package dev.tinify.runtime.coding;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Entropy coder throughput in symbols per second (one operation = one symbol), on 10M symbols
 * coded with CompressAI's 64 default Gaussian tables: each symbol picks a table uniformly and is
 * {@code rint(N(0, scale))} of that table, so escapes occur at the tables' 1e-9 tail rate.
 * {@code decodeStreamPerPosition} decodes the same stream in calls of 192 symbols, as the
 * autoregressive models do per spatial position.
 *
 * <p>Run from the repository root (the reactor build resolves tinify-dsl from its classes; the
 * classpath file ends up holding runtime's test classpath):
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -pl runtime -am -Dmdep.outputFile=/tmp/cp-coding.txt
 * java -cp runtime/target/test-classes:runtime/target/classes:$(cat /tmp/cp-coding.txt) \
 *     org.openjdk.jmh.Main RansBenchmark -f 1 -wi 3 -i 5
 * </pre>
 * Add {@code -p coderName=ans} for one coder only.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RansBenchmark {
    static final int SYMBOLS = 10_000_000;
    static final int PER_POSITION = 192;

    @Param({"ans", "range"})
    public String coderName;

    private EntropyCoder coder;
    private CdfTables tables;
    private int[] symbols;
    private int[] indexes;
    private int[][] positions;
    private byte[] stream;

    @Setup
    public void setup() {
        coder = EntropyCoders.get(coderName);
        float[] scales = GaussianTables.defaultScaleTable();
        tables = GaussianTables.build(scales);
        Random rnd = new Random(1);
        symbols = new int[SYMBOLS];
        indexes = new int[SYMBOLS];
        for (int i = 0; i < SYMBOLS; i++) {
            indexes[i] = rnd.nextInt(scales.length);
            symbols[i] = (int) Math.rint(rnd.nextGaussian() * scales[indexes[i]]);
        }
        positions = new int[SYMBOLS / PER_POSITION][PER_POSITION];
        for (int p = 0; p < positions.length; p++) {
            System.arraycopy(indexes, p * PER_POSITION, positions[p], 0, PER_POSITION);
        }
        stream = coder.encodeWithIndexes(symbols, indexes, tables);
        System.out.printf("%n%s: %d symbols -> %d bytes (%.3f bits/symbol)%n", coderName, SYMBOLS, stream.length,
                8.0 * stream.length / SYMBOLS);
    }

    @Benchmark
    @OperationsPerInvocation(SYMBOLS)
    public byte[] encode() {
        return coder.encodeWithIndexes(symbols, indexes, tables);
    }

    @Benchmark
    @OperationsPerInvocation(SYMBOLS)
    public int[] decode() {
        return coder.decodeWithIndexes(stream, indexes, tables);
    }

    @Benchmark
    @OperationsPerInvocation(SYMBOLS / PER_POSITION * PER_POSITION)
    public int decodeStreamPerPosition() {
        EntropyCoder.Decoder decoder = coder.newDecoder(stream);
        int acc = 0;
        for (int[] position : positions) {
            acc += decoder.decodeStream(position, tables)[PER_POSITION - 1];
        }
        return acc;
    }
}
