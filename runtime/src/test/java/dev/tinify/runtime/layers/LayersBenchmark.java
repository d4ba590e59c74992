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
 * GDN with its channel pooling as a matrix product (as implemented) against the same pooling as
 * a 1×1 convolution, and the polyphase transposed convolution against a plain strided
 * convolution of the same size. Run with {@code org.openjdk.jmh.Main LayersBenchmark} on the test classpath.
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

    /** GDN as implemented: the channel pooling as a matrix product. */
    @Benchmark
    public float gdn() {
        try (ForwardScope s = ForwardScope.open(manager, gdn)) {
            s.input(x);
            return gdn.forward(x).getFloat(0, 0, 0, 0);
        }
    }

    /** The same GDN with the pooling as a 1×1 convolution of x² with gamma [C, C, 1, 1] and bias beta. */
    @Benchmark
    public float gdnConv1x1() {
        try (ForwardScope s = ForwardScope.open(manager, gdn)) {
            s.input(x);
            NDArray gamma = gdn.effectiveGamma().reshape(C, C, 1, 1);
            NDArray norm = ConvOps.conv2d(x.square(), gamma, gdn.effectiveBeta(), 1, 0).sqrt();
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
