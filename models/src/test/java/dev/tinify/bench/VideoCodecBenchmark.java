package dev.tinify.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.nn.Param;
import dev.tinify.Tinify;
import dev.tinify.runtime.video.ScaleSpaceFlow;
import dev.tinify.runtime.video.VideoModel;
import java.io.IOException;
import java.util.ArrayList;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Seconds to encode and decode three 768x512 frames with ScaleSpaceFlow at CompressAI's sizes
 * (128/192 channels), as CompressAI's CPU timing anchor for ssf2020 measures it
 * ({@code anchors/compressai-cpu-timings.json}: 5.53 s compress, 3.83 s decompress): the frames
 * are {@code data/dev8/sunset.png} and its 2 and 4 pixel horizontal rolls; one keyframe, two
 * inter frames, each predicted from the previous reconstruction. The weights are random with the
 * encoders' and hyper-encoders' last layers rescaled (latent std 4, hyper-latent std 2, motion
 * std 0.2, scale channels +4), as the anchors' were, so that entropy coding does real work.
 *
 * <p>Besides the wall time, each iteration prints the calling thread's CPU seconds per
 * operation: with one PyTorch thread ({@code -jvmArgsAppend "-Dai.djl.pytorch.num_threads=1 ..."})
 * every operator runs on that thread, so this is the work itself, unaffected by other jobs on a
 * busy machine (the wall time then is not).
 *
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -pl models -am -Dmdep.outputFile=/tmp/tinify-cp.txt -Dmdep.includeScope=test
 * java -Dtinify.shared=../shared -cp models/target/test-classes:models/target/classes:$(cat /tmp/tinify-cp.txt) \
 *     org.openjdk.jmh.Main VideoCodecBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=2",
        "-Dai.djl.pytorch.num_interop_threads=1"})
public class VideoCodecBenchmark {
    private VideoModel video;
    private ScaleSpaceFlow model;
    private NDManager data;
    private final List<NDArray> frames = new ArrayList<>();
    private final List<ScaleSpaceFlow.Encoded> encoded = new ArrayList<>();

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Engine.getInstance().setRandomSeed(0);
        RgbImage image = AnchorImage.read();
        video = Tinify.buildVideo("ssf2020", Map.of());
        model = video.codec();
        data = NDManager.newBaseManager();
        NDArray x = image.toNDArray(data);
        for (int shift : new int[] {0, 2, 4}) {
            frames.add(shift == 0 ? x : x.concat(x, 3).get(":, :, :, " + (768 - shift) + ":" + (2 * 768 - shift)));
        }
        calibrate();
        video.update(true);
        encoded.addAll(encodeAll());
    }

    /** Rescales the last layer of each encoder, hyper-encoder, hyper-decoder and the motion decoder, as the anchors did. */
    private void calibrate() {
        NDArray x0 = frames.get(0);
        NDArray x1 = frames.get(1);
        for (String codec : List.of("img", "motion", "res")) {
            scaleTo(codec + "_encoder.6", 4.0, () -> latent(codec, x0, x1));
            scaleTo(codec + "_hyperprior.hyper_encoder.4", 2.0, () -> hyperLatent(codec, x0, x1));
            addBias(codec + "_hyperprior.hyper_decoder_scale.deconv3", 4f);
        }
        scaleTo("motion_decoder.6", 0.2, () -> model.forwardInter(x1, x0).prediction().motionInfo());
    }

    private NDArray latent(String codec, NDArray x0, NDArray x1) {
        return switch (codec) {
            case "img" -> sequential("img_encoder").forward(x0);
            case "motion" -> sequential("motion_encoder").forward(x1.concat(x0, 1));
            default -> sequential("res_encoder").forward(x1.sub(x0));
        };
    }

    private NDArray hyperLatent(String codec, NDArray x0, NDArray x1) {
        return sequential(codec + "_hyperprior.hyper_encoder").forward(latent(codec, x0, x1));
    }

    private dev.tinify.runtime.layers.LayerModule sequential(String path) {
        dev.tinify.runtime.nn.Module m = model;
        for (String part : path.split("\\.")) {
            m = m.children().get(part);
        }
        return (dev.tinify.runtime.layers.LayerModule) m;
    }

    private void scaleTo(String layer, double target, java.util.function.Supplier<NDArray> output) {
        double std;
        try (dev.tinify.runtime.nn.ForwardScope s = dev.tinify.runtime.nn.ForwardScope.open(data, model)) {
            NDArray out = output.get();
            std = Math.sqrt(out.sub(out.mean()).square().mean().getFloat());
        }
        // Outside the scope: a parameter set inside it would be freed with the scope's arrays.
        scale(layer, (float) (target / std));
    }

    private void scale(String layer, float factor) {
        for (String p : List.of("weight", "bias")) {
            Param param = model.stateDict().get(layer + "." + p);
            param.set(param.value().mul(factor));
        }
    }

    private void addBias(String layer, float shift) {
        Param bias = model.stateDict().get(layer + ".bias");
        bias.set(bias.value().add(shift));
    }

    private List<ScaleSpaceFlow.Encoded> encodeAll() {
        List<ScaleSpaceFlow.Encoded> out = new ArrayList<>();
        NDArray ref = null;
        for (NDArray x : frames) {
            ScaleSpaceFlow.Encoded e = ref == null ? model.encodeKeyframe(x) : model.encodeInter(x, ref);
            out.add(e);
            ref = e.xHat().clip(0f, 1f);
        }
        return out;
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
    private long cpuNanos;
    private long operations;

    @TearDown(Level.Iteration)
    public void reportCpu() {
        if (operations > 0) {
            System.out.printf(java.util.Locale.ROOT, "%n  calling thread: %.3f CPU s/op over %d ops%n", cpuNanos / 1e9 / operations, operations);
        }
        cpuNanos = 0;
        operations = 0;
    }

    private void count(long cpuStart) {
        cpuNanos += THREADS.getCurrentThreadCpuTime() - cpuStart;
        operations++;
    }

    @Benchmark
    public int encode() {
        long cpu = THREADS.getCurrentThreadCpuTime();
        try (NDManager m = data.newSubManager()) {
            int bytes = 0;
            NDArray ref = null;
            for (NDArray x : frames) {
                ScaleSpaceFlow.Encoded e = ref == null ? model.encodeKeyframe(x) : model.encodeInter(x, ref);
                ref = e.xHat().clip(0f, 1f);
                ref.attach(m);
                for (ScaleSpaceFlow.Coded c : e.parts().values()) {
                    bytes += c.strings().get(0).get(0).length;
                }
            }
            return bytes;
        } finally {
            count(cpu);
        }
    }

    @Benchmark
    public float decode() {
        long cpu = THREADS.getCurrentThreadCpuTime();
        try (NDManager m = data.newSubManager()) {
            NDArray ref = model.decodeKeyframe(m, encoded.get(0).parts().get("keyframe")).clip(0f, 1f);
            for (int i = 1; i < encoded.size(); i++) {
                ScaleSpaceFlow.Encoded e = encoded.get(i);
                ref = model.decodeInter(ref, e.parts().get("motion"), e.parts().get("residual")).clip(0f, 1f);
            }
            return ref.getFloat(0, 0, 0, 0);
        } finally {
            count(cpu);
        }
    }

    /**
     * The motion compensation of one inter frame alone (the scale-space volume of the reference
     * and the trilinear warp), to set against {@link #encode} and {@link #decode}: the rest is
     * convolutions and entropy coding.
     */
    @Benchmark
    public float predict() {
        long cpu = THREADS.getCurrentThreadCpuTime();
        try (NDManager m = data.newSubManager()) {
            // The reference is copied into this operation's manager, where every intermediate then lands.
            NDArray ref = frames.get(0).duplicate();
            ref.attach(m);
            NDArray motion = m.zeros(new ai.djl.ndarray.types.Shape(1, 3, 512, 768)).add(0.01f);
            return model.predict(ref, motion).getFloat(0, 0, 0, 0);
        } finally {
            count(cpu);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        data.close();
        video.close();
    }
}
