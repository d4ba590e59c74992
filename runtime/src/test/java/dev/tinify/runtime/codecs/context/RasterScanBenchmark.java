package dev.tinify.runtime.codecs.context;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.codecs.Parts;
import dev.tinify.runtime.entropy.GaussianConditional;
import dev.tinify.runtime.layers.Conv2d;
import dev.tinify.runtime.layers.MaskedConv2d;
import dev.tinify.runtime.layers.Sequential;
import java.util.List;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Autoregressive coding of an mbt2018-size latent (N = M = 192, 32x48 positions: a 768x512
 * image) through {@link RasterScanLatentCodec} with random weights, rANS included: seconds per
 * image. The last entropy-parameter layer's scale biases are raised by 4 so that scales are
 * realistic rather than all clamped to the 0.11 bound. CompressAI takes about 19.4 s to
 * decompress and 9.3 s to compress such an image with mbt2018 (g_a/g_s included there).
 *
 * <p>Run: {@code java -cp <runtime test classpath> org.openjdk.jmh.Main RasterScanBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=2",
        "-Dai.djl.pytorch.num_interop_threads=1"})
public class RasterScanBenchmark {
    static final int M = 192;
    static final int N = 192;
    static final int H = 32;
    static final int W = 48;

    NDManager manager;
    RasterScanLatentCodec codec;
    NDArray y;
    NDArray params;
    LatentCodec.CompressOut compressed;

    @Setup(Level.Trial)
    public void setUp() {
        manager = NDManager.newBaseManager();
        GaussianConditional gc = new GaussianConditional(manager);
        gc.update(true);
        Sequential ep = RasterScanLatentCodecTest.entropyParameters(manager, M);
        Conv2d last = (Conv2d) ep.get(4);
        float[] bias = last.bias().toFloatArray();
        for (int i = 0; i < M; i++) {
            bias[i] += 4f;
        }
        last.ownParams().get("bias").set(manager.create(bias));
        MaskedConv2d cp = new MaskedConv2d(manager, M, 2 * M, 5, MaskedConv2d.MaskType.A);
        codec = new RasterScanLatentCodec(gc, ep, cp, Parts.CHILDREN);
        Random r = new Random(1);
        y = manager.create(gaussian(r, M * H * W, 4f), new Shape(1, M, H, W));
        params = manager.create(gaussian(r, 2 * N * H * W, 2f), new Shape(1, 2 * N, H, W));
        compressed = codec.compress(y, params);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        manager.close();
    }

    private static float[] gaussian(Random r, int n, float std) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian() * std;
        }
        return a;
    }

    @Benchmark
    public float decompress() {
        try (NDManager sub = manager.newSubManager()) {
            NDArray out = codec.decompress(sub, compressed.strings(), List.of(H, W), params);
            return out.getShape().size();
        }
    }

    @Benchmark
    public int compress() {
        try (NDManager sub = manager.newSubManager()) {
            sub.tempAttachAll(new ai.djl.ndarray.NDList(y));
            LatentCodec.CompressOut out = codec.compress(y, params);
            return out.strings().get(0).get(0).length;
        }
    }
}
