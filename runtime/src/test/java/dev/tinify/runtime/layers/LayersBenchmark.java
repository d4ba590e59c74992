package dev.tinify.runtime.layers;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.tinify.runtime.nn.ForwardScope;
import dev.tinify.runtime.ops.ConvOps;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Inference speed of the heavy layers at a CompressAI-sized activation (128 channels, 128×192):
 * GDN with its pooling as a 1×1 convolution (as implemented) against the same pooling as a
 * matrix product, and the polyphase transposed convolution against a plain strided convolution
 * of the same size. Run with {@code org.openjdk.jmh.Main LayersBenchmark} on the test classpath.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class LayersBenchmark {
    private static final int C = 128;
    private static final int H = 128;
    private static final int W = 192;

    private NDManager manager;
    private Gdn gdn;
    private ConvTranspose2d deconv;
    private Conv2d conv;
    private NDArray x;
    private NDArray xHalf;

    @Setup(Level.Trial)
    public void setUp() {
        Engine.getInstance().setRandomSeed(0);
        manager = NDManager.newBaseManager();
        gdn = new Gdn(manager, C, false);
        deconv = new ConvTranspose2d(manager, C, C, 5, 2);
        conv = new Conv2d(manager, C, C, 5, 2);
        x = TestTensors.uniform(manager, 1, DataType.FLOAT32, 1, C, H, W);
        xHalf = TestTensors.uniform(manager, 2, DataType.FLOAT32, 1, C, H / 2, W / 2);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        manager.close();
    }

    @Benchmark
    public float gdnConv1x1() {
        try (ForwardScope s = ForwardScope.open(manager, gdn)) {
            s.input(x);
            return gdn.forward(x).getFloat(0, 0, 0, 0);
        }
    }

    /** The same GDN with the pooling as gamma [C, C] × x² [C, H·W]. */
    @Benchmark
    public float gdnMatMul() {
        try (ForwardScope s = ForwardScope.open(manager, gdn)) {
            s.input(x);
            NDArray beta = gdn.effectiveBeta().reshape(C, 1);
            NDArray gamma = gdn.effectiveGamma();
            NDArray sq = x.square().reshape(C, (long) H * W);
            NDArray norm = gamma.matMul(sq).addi(beta).sqrt().reshape(1, C, H, W);
            return x.div(norm).getFloat(0, 0, 0, 0);
        }
    }

    @Benchmark
    public float deconvPolyphase() {
        try (ForwardScope s = ForwardScope.open(manager, deconv)) {
            s.input(xHalf);
            return deconv.forward(xHalf).getFloat(0, 0, 0, 0);
        }
    }

    /** A strided 5×5 convolution with the same channels from the full-size input, for scale. */
    @Benchmark
    public float convStrided() {
        try (ForwardScope s = ForwardScope.open(manager, conv)) {
            s.input(x);
            return conv.forward(x).getFloat(0, 0, 0, 0);
        }
    }

    /** Reference point for the deconv: the phase convolution alone, without weight transform and shuffle. */
    @Benchmark
    public float deconvPhaseConvOnly() {
        try (ForwardScope s = ForwardScope.open(manager, deconv)) {
            s.input(xHalf);
            NDArray w = deconv.phaseWeight();
            return ConvOps.conv2d(xHalf, w, null, 1, 1).getFloat(0, 0, 0, 0);
        }
    }
}
