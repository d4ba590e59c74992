package dev.tinify.check;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.entropy.EntropyBottleneck;
import dev.tinify.runtime.entropy.EntropyModel;
import dev.tinify.runtime.entropy.GaussianConditional;
import dev.tinify.runtime.layers.Gdn;
import dev.tinify.runtime.layers.Gdn1;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Checks of the unit cases that exercise one module: {@code unit-gdn} (GDN, IGDN, GDN1, IGDN1),
 * {@code unit-entropy-bottleneck[-default]} and {@code unit-gaussian-conditional}. Each loads the
 * case's state dict (a key or shape mismatch fails the case), runs the module and compares.
 */
final class ModuleChecks {
    private static final double TOLERANCE = ModelChecks.TOLERANCE;

    private ModuleChecks() {}

    static void gdn(ReferenceCase ref, CaseReport report) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = array(m, ref.tensor("x"));
            int channels = (int) x.getShape().get(1);
            for (String name : List.of("gdn", "igdn", "gdn1", "igdn1")) {
                boolean inverse = name.startsWith("i");
                Gdn gdn = name.endsWith("1") ? new Gdn1(m, channels, inverse) : new Gdn(m, channels, inverse);
                StateDicts.load(gdn, StateDicts.withPrefix(ref.stateDict(), name + "."), ref.name() + " " + name);
                report.compare(name + ".out", gdn.forward(x).toFloatArray(), ref.tensor(name + ".out").toFloats(), TOLERANCE);
                report.compare(name + ".beta_effective", gdn.effectiveBeta().toFloatArray(),
                        ref.tensor(name + ".beta_effective").toFloats(), TOLERANCE);
                report.compare(name + ".gamma_effective", gdn.effectiveGamma().toFloatArray(),
                        ref.tensor(name + ".gamma_effective").toFloats(), TOLERANCE);
            }
        }
    }

    static void entropyBottleneck(ReferenceCase ref, CaseReport report) throws IOException {
        JsonNode kw = ref.constructorKwargs();
        int[] filters = new int[kw.path("filters").size()];
        for (int i = 0; i < filters.length; i++) {
            filters[i] = kw.path("filters").get(i).asInt();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            EntropyBottleneck eb = new EntropyBottleneck(m, kw.path("channels").asInt(), kw.path("tail_mass").asDouble(),
                    kw.path("init_scale").asDouble(), filters);
            StateDicts.load(eb, ref.stateDict(), ref.name());
            eb.train(false);
            NDArray x = array(m, ref.tensor("x"));
            EntropyModel.Output out = eb.forward(x);
            report.compare("forward.x_hat", out.values().toFloatArray(), ref.tensor("forward.x_hat").toFloats(), TOLERANCE);
            report.compare("forward.likelihoods", out.likelihoods().toFloatArray(),
                    ref.tensor("forward.likelihoods").toFloats(), TOLERANCE);
            List<byte[]> strings = eb.compress(x);
            List<byte[]> expected = strings(ref.meta().path("compress").path("strings"));
            compareStrings("compress.strings", strings, expected, report);
            List<Integer> shape = new ArrayList<>();
            ref.meta().path("compress").path("shape").forEach(n -> shape.add(n.asInt()));
            report.compare("decompress.x_hat", eb.decompress(m, expected, shape).toFloatArray(),
                    ref.tensor("decompress.x_hat").toFloats(), TOLERANCE);
        }
    }

    static void gaussianConditional(ReferenceCase ref, CaseReport report) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            GaussianConditional gc = new GaussianConditional(m);
            StateDicts.load(gc, ref.stateDict(), ref.name());
            gc.train(false);
            NDArray x = array(m, ref.tensor("x"));
            NDArray scales = array(m, ref.tensor("scales"));
            NDArray means = array(m, ref.tensor("means"));
            EntropyModel.Output out = gc.forward(x, scales, means);
            report.compare("forward.y_hat", out.values().toFloatArray(), ref.tensor("forward.y_hat").toFloats(), TOLERANCE);
            report.compare("forward.likelihoods", out.likelihoods().toFloatArray(),
                    ref.tensor("forward.likelihoods").toFloats(), TOLERANCE);
            NDArray indexes = gc.buildIndexes(scales);
            report.compareInts("build_indexes", indexes.toType(DataType.INT32, false).toIntArray(), ref.tensor("build_indexes").toInts());
            List<byte[]> withMeans = strings(ref.meta().path("compress_with_means").path("strings"));
            compareStrings("compress_with_means", gc.compress(x, indexes, means), withMeans, report);
            report.compare("decompress.x_hat", gc.decompress(withMeans, indexes, means).toFloatArray(),
                    ref.tensor("decompress.x_hat").toFloats(), TOLERANCE);
            List<byte[]> noMeans = strings(ref.meta().path("compress_without_means").path("strings"));
            compareStrings("compress_without_means", gc.compress(x, indexes, null), noMeans, report);
            report.compare("decompress_nomeans.x_hat", gc.decompress(noMeans, indexes, null).toFloatArray(),
                    ref.tensor("decompress_nomeans.x_hat").toFloats(), TOLERANCE);
        }
    }

    private static void compareStrings(String what, List<byte[]> ours, List<byte[]> expected, CaseReport report) {
        if (ours.size() != expected.size()) {
            report.fail(what, ours.size() + " strings, reference has " + expected.size());
            return;
        }
        for (int i = 0; i < ours.size(); i++) {
            report.compareBytes(what + "[" + i + "]", ours.get(i), expected.get(i));
        }
    }

    private static List<byte[]> strings(JsonNode node) {
        List<byte[]> out = new ArrayList<>();
        node.forEach(s -> out.add(Base64.getDecoder().decode(s.asText())));
        return out;
    }

    private static NDArray array(NDManager m, SafeTensors.Tensor t) {
        return StateDicts.toArray(m, t);
    }
}
