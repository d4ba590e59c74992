package dev.tinify.runtime.codecs.context;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Autoregressive coding of an mbt2018-size latent (N = M = 192, 32x48 positions, i.e. a
 * 768x512 image) with random weights: seconds per image for the context model and entropy
 * parameters of every position, with symbols replayed from a prior encode (entropy coding
 * itself excluded). CompressAI's whole mbt2018 decompress of such an image takes about 19 s.
 *
 * <p>Run: {@code java -cp <test classpath> org.openjdk.jmh.Main RasterScanBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class RasterScanBenchmark {
    static final int M = 192;
    static final int N = 192;
    static final int H = 32;
    static final int W = 48;

    RasterScanEngine engine;
    float[] y;
    float[] params;
    RasterScanEngine.Encoded encoded;

    @Setup(Level.Trial)
    public void setUp() {
        Random r = new Random(1);
        int k = 5;
        float[] cw = randoms(r, 2 * M * M * k * k, 1f / (float) Math.sqrt(12 * M));
        float[] mask = new float[cw.length];
        for (int o = 0; o < 2 * M; o++) {
            for (int c = 0; c < M; c++) {
                for (int t = 0; t < k * k; t++) {
                    if (t < k * (k / 2) + k / 2) {
                        mask[(o * M + c) * k * k + t] = 1f;
                    }
                }
            }
        }
        CausalKernel ctx = CausalKernel.of(2 * M, M, k, cw, mask, randoms(r, 2 * M, 0.1f));
        int c0 = 2 * M + 2 * M;
        int c1 = M * 10 / 3;
        int c2 = M * 8 / 3;
        int c3 = 2 * M;
        PointwiseNet ep = PointwiseNet.builder(c0)
                .linear(c1, randoms(r, c1 * c0, 1f / (float) Math.sqrt(c0)), randoms(r, c1, 0.1f)).leakyRelu(0.01f)
                .linear(c2, randoms(r, c2 * c1, 1f / (float) Math.sqrt(c1)), randoms(r, c2, 0.1f)).leakyRelu(0.01f)
                .linear(c3, randoms(r, c3 * c2, 1f / (float) Math.sqrt(c2)), randoms(r, c3, 0.1f))
                .build();
        float[] table = new float[64];
        for (int i = 0; i < 64; i++) {
            table[i] = (float) Math.exp(Math.log(0.11) + i * (Math.log(256) - Math.log(0.11)) / 63);
        }
        engine = new RasterScanEngine(ctx, ep, new ScaleIndexer(table, 0.11f), 2 * N);
        y = randoms(r, M * H * W, 4f);
        params = randoms(r, 2 * N * H * W, 2f);
        encoded = engine.encode(y, params, H, W);
    }

    private static float[] randoms(Random r, int n, float std) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian() * std;
        }
        return a;
    }

    @Benchmark
    public float[] decode() {
        int[] next = {0};
        int[] symbols = encoded.symbols();
        return engine.decode(params, H, W, indexes -> {
            int[] s = new int[indexes.length];
            System.arraycopy(symbols, next[0], s, 0, s.length);
            next[0] += s.length;
            return s;
        });
    }

    @Benchmark
    public RasterScanEngine.Encoded encode() {
        return engine.encode(y, params, H, W);
    }
}
