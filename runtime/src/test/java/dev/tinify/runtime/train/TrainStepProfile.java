package dev.tinify.runtime.train;

import dev.tinify.dsl.Metric;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tinify.dsl.SpecReader;
import dev.tinify.runtime.compile.SpecCompiler;
import dev.tinify.runtime.entropy.EntropyBottleneck;
import dev.tinify.runtime.entropy.EntropyModel;
import dev.tinify.runtime.entropy.GaussianConditional;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.nn.Layer;
import dev.tinify.runtime.nn.Param;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the time of a bmshj2018-hyperprior training step goes: the trainer's phases (sampling,
 * forward and loss, backward, gradient correction, clipping, both Adam updates), the forward per
 * top-level module (timed on a copy of the model's forward, since CPU ops run synchronously), GC
 * activity, RSS, and optionally PyTorch's profiler aggregated per operation (top-level calls from
 * Java, i.e. one JNI call each). A diagnostic tool, not a test; for steps per second use
 * {@link TrainStepBenchmark}. Run from the repository root after
 * {@code mvn -o -q test-compile dependency:build-classpath -pl runtime -am -Dmdep.outputFile=cp.txt}:
 * <pre>
 * java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=2 -Dai.djl.pytorch.num_interop_threads=1 \
 *     -cp runtime/target/test-classes:runtime/target/classes:dsl/target/classes:$(cat runtime/cp.txt) \
 *     dev.tinify.runtime.train.TrainStepProfile N M batch patch steps [torch-trace.json]
 * </pre>
 */
final class TrainStepProfile {
    private TrainStepProfile() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: TrainStepProfile N M batch patch steps [torch-trace.json]");
            System.exit(2);
        }
        int n = Integer.parseInt(args[0]);
        int m = Integer.parseInt(args[1]);
        int batch = Integer.parseInt(args[2]);
        int patch = Integer.parseInt(args[3]);
        int steps = Integer.parseInt(args[4]);
        Path specs = Path.of(System.getProperty("tinify.specs", "specs"));
        Path data = Path.of(System.getProperty("tinify.shared", "../shared"), "data", "train256");
        Path out = Files.createTempDirectory("tinify-profile");
        Engine.getInstance().setRandomSeed(1);
        try (CompressionModel model = SpecCompiler.compile(SpecReader.read(specs.resolve("bmshj2018-hyperprior.yaml")),
                        Map.of("N", n, "M", m));
                Trainer trainer = new Trainer(model, TrainingConfig.builder(data, out, Metric.MSE, 0.0130,
                        Long.MAX_VALUE).batch(batch).patch(patch).validateEvery(0).checkpointEvery(0).build())) {
            System.out.printf(Locale.ROOT, "N=%d M=%d batch %d patch %d, %d threads%n", n, m, batch, patch, JniUtils.getNumThreads());
            List<Double> losses = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                losses.add(trainer.trainStep().loss());
            }
            phases(trainer, steps, losses);
            System.out.println("losses " + losses);
            modules(model, batch, patch, steps);
            if (args.length > 5) {
                Path trace = Path.of(args[5]);
                JniUtils.startProfile(false, false, false);
                trainer.trainStep();
                JniUtils.stopProfile(trace.toAbsolutePath().toString());
                ops(trace);
            }
        } finally {
            try (var s = Files.list(out)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(out);
        }
    }

    private static void phases(Trainer trainer, int steps, List<Double> losses) {
        Map<String, Double> ms = new LinkedHashMap<>();
        long[] last = new long[1];
        trainer.probe(phase -> {
            long t = System.nanoTime();
            ms.merge(phase, (t - last[0]) / 1e6, Double::sum);
            last[0] = t;
        });
        long gcCount = gcCount();
        long gcMs = gcMillis();
        long rss0 = rssKb();
        long total = 0;
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            last[0] = t0;
            losses.add(trainer.trainStep().loss());
            total += System.nanoTime() - t0;
        }
        trainer.probe(null);
        double stepMs = total / 1e6 / steps;
        System.out.printf(Locale.ROOT, "step %.1f ms (%.3f steps/s); GC %d collections %d ms over %d steps; RSS %d -> %d MB%n",
                stepMs, 1000 / stepMs, gcCount() - gcCount, gcMillis() - gcMs, steps, rss0 / 1024, rssKb() / 1024);
        ms.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-16s %8.1f ms %5.1f%%%n", k, v / steps, 100 * v / steps / stepMs));
    }

    /** The model's training forward split per top-level module, then the loss and backward. */
    private static void modules(CompressionModel model, int batch, int patch, int steps) {
        Layer gA = (Layer) model.children().get("g_a");
        Layer hA = (Layer) model.children().get("h_a");
        Layer hS = (Layer) model.children().get("h_s");
        Layer gS = (Layer) model.children().get("g_s");
        EntropyBottleneck eb = (EntropyBottleneck) model.children().get("entropy_bottleneck");
        GaussianConditional gc = (GaussianConditional) model.children().get("gaussian_conditional");
        RateDistortionLoss rd = new RateDistortionLoss(Metric.MSE, 0.0130);
        Map<String, Double> ms = new LinkedHashMap<>();
        boolean wasTraining = model.isTraining();
        model.train(true);
        for (int i = 0; i < steps + 1; i++) {
            for (Param p : model.parameters().values()) {
                JniUtils.zeroGrad((PtNDArray) p.value());
            }
            Map<String, Double> one = new LinkedHashMap<>();
            try (NDManager sub = model.manager().newSubManager()) {
                sub.tempAttachAll(model.arrays());
                NDArray x = sub.randomUniform(0, 1, new Shape(batch, 3, patch, patch));
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    long t = System.nanoTime();
                    NDArray y = gA.forward(x);
                    t = lap(one, "g_a", t);
                    NDArray z = hA.forward(y.abs());
                    t = lap(one, "h_a", t);
                    EntropyModel.Output zo = eb.forward(z);
                    t = lap(one, "entropy_bottleneck", t);
                    NDArray scales = hS.forward(zo.values());
                    t = lap(one, "h_s", t);
                    EntropyModel.Output yo = gc.forward(y, scales, null);
                    t = lap(one, "gaussian_cond", t);
                    NDArray xHat = gS.forward(yo.values());
                    t = lap(one, "g_s", t);
                    RateDistortionLoss.Terms terms = rd.compute(x, xHat, Map.of("y", yo.likelihoods(), "z", zo.likelihoods()));
                    t = lap(one, "loss", t);
                    collector.backward(terms.loss());
                    lap(one, "backward", t);
                }
            }
            if (i > 0) {
                one.forEach((k, v) -> ms.merge(k, v, Double::sum));
            }
        }
        model.train(wasTraining);
        double sum = ms.values().stream().mapToDouble(Double::doubleValue).sum();
        System.out.println("forward per module (copy of the model's forward):");
        ms.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-18s %8.1f ms %5.1f%%%n", k, v / steps, 100 * v / sum));
    }

    private static long lap(Map<String, Double> ms, String name, long t0) {
        long t = System.nanoTime();
        ms.merge(name, (t - t0) / 1e6, Double::sum);
        return t;
    }

    /** Aggregates a PyTorch trace: per operation called from Java (not nested in another), count and time. */
    private static void ops(Path trace) throws Exception {
        JsonNode root = new ObjectMapper().readTree(trace.toFile());
        // The legacy profiler writes a bare array of events; Kineto wraps it in traceEvents.
        JsonNode events = root.isArray() ? root : root.path("traceEvents");
        Map<Long, List<JsonNode>> byThread = new HashMap<>();
        for (JsonNode e : events) {
            if ("X".equals(e.path("ph").asText())) {
                byThread.computeIfAbsent(e.path("tid").asLong(), k -> new ArrayList<>()).add(e);
            }
        }
        Map<String, double[]> agg = new HashMap<>();
        int calls = 0;
        for (List<JsonNode> list : byThread.values()) {
            list.sort((a, b) -> Double.compare(a.path("ts").asDouble(), b.path("ts").asDouble()));
            double end = Double.NEGATIVE_INFINITY;
            for (JsonNode e : list) {
                double ts = e.path("ts").asDouble();
                double dur = e.path("dur").asDouble();
                if (ts >= end) {
                    end = ts + dur;
                    calls++;
                    double[] a = agg.computeIfAbsent(e.path("name").asText(), k -> new double[2]);
                    a[0]++;
                    a[1] += dur / 1000;
                }
            }
        }
        System.out.println("torch profiler, one step: " + calls + " top-level op calls; top by time:");
        agg.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue()[1], a.getValue()[1])).limit(30)
                .forEach(e -> System.out.printf(Locale.ROOT, "  %-60s %5d calls %8.1f ms%n", e.getKey(), (int) e.getValue()[0],
                        e.getValue()[1]));
    }

    private static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }

    static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (java.io.IOException e) {
            return -1;
        }
        return -1;
    }
}
