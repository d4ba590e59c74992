package dev.tinify.check;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.entropy.EntropyBottleneck;
import dev.tinify.runtime.entropy.EntropyModel;
import dev.tinify.runtime.entropy.GaussianConditional;
import dev.tinify.runtime.entropy.GaussianMixtureConditional;
import dev.tinify.runtime.layers.Gdn;
import dev.tinify.runtime.layers.Gdn1;
import dev.tinify.runtime.layers.LayerModule;
import dev.tinify.runtime.layers.QRelu;
import dev.tinify.runtime.layers.SpectralConv2d;
import dev.tinify.runtime.layers.SpectralConvTranspose2d;
import dev.tinify.runtime.nn.Param;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks of the unit cases that exercise one module: {@code unit-gdn} (GDN, IGDN, GDN1, IGDN1),
 * {@code unit-entropy-bottleneck[-default]}, {@code unit-gaussian-conditional}, {@code
 * unit-gaussian-mixture-conditional} and {@code unit-spectral-qrelu}. Each loads the case's state
 * (a key or shape mismatch fails the case), runs the module and compares.
 */
final class ModuleChecks {
    private static final double TOLERANCE = ModelChecks.TOLERANCE;
    /** Values of the single-layer cases (spectral convolutions, QReLU, the mixture's forward). */
    private static final double UNIT_TOLERANCE = 1e-5;
    /** Gradients of the single-layer cases. */
    private static final double GRADIENT_TOLERANCE = 1e-4;
    private static final Pattern QRELU_ARGS = Pattern.compile("QReLU\\.apply\\(\\w+, bit_depth=(\\d+), beta=([0-9.]+)\\)");

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

    static void gaussianMixtureConditional(ReferenceCase ref, CaseReport report) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            GaussianMixtureConditional gmm = new GaussianMixtureConditional(m, ref.meta().path("K").asInt());
            gmm.train(false);
            NDArray x = array(m, ref.tensor("x"));
            NDArray scales = array(m, ref.tensor("scales"));
            NDArray means = array(m, ref.tensor("means"));
            NDArray weights = array(m, ref.tensor("weights"));
            EntropyModel.Output out = gmm.forward(x, scales, means, weights);
            report.compare("forward.y_hat", out.values().toFloatArray(), ref.tensor("forward.y_hat").toFloats(), UNIT_TOLERANCE);
            report.compare("forward.likelihoods", out.likelihoods().toFloatArray(),
                    ref.tensor("forward.likelihoods").toFloats(), UNIT_TOLERANCE);
            JsonNode compress = ref.meta().path("compress");
            List<byte[]> expected = strings(compress.path("strings"));
            int absMax = compress.path("abs_max").asInt();
            int[] bitmap = ref.tensor("compress.zero_bitmap").toInts();
            List<GaussianMixtureConditional.Compressed> ours = gmm.compress(x, scales, means, weights);
            report.compareInts("compress.abs_max", new int[] {ours.get(0).absMax()}, new int[] {absMax});
            report.compareInts("compress.zero_bitmap", ours.get(0).zeroBitmap(), bitmap);
            int[][] cdfs = gmm.cdfs(scales, means, weights, 0, absMax, bitmap);
            report.compareInts("compress.cdf", Arrays.stream(cdfs).flatMapToInt(Arrays::stream).toArray(),
                    ref.tensor("compress.cdf").toInts());
            compareStrings("compress.strings", ours.stream().map(GaussianMixtureConditional.Compressed::string).toList(),
                    expected, report);
            NDArray decoded = gmm.decompress(List.of(new GaussianMixtureConditional.Compressed(expected.get(0), absMax, bitmap)),
                    scales, means, weights);
            report.compare("decompress.y_hat", decoded.toFloatArray(), ref.tensor("decompress.y_hat").toFloats(), 0);
        }
    }

    static void spectralQrelu(ReferenceCase ref, CaseReport report) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = array(m, ref.tensor("x"));
            long[] cw = ref.tensor("conv.weight").shape(); // [out, in, k, k]
            int k = (int) cw[2];
            SpectralConv2d conv = new SpectralConv2d(m, (int) cw[1], (int) cw[0], k, 1);
            spectralLayer(ref, report, "conv", conv, conv::weight, x);
            long[] dw = ref.tensor("deconv.weight").shape(); // [in, out, k, k]
            NDArray convOut = array(m, ref.tensor("conv.out"));
            int stride = (int) (ref.tensor("deconv.out").shape()[2] / convOut.getShape().get(2));
            SpectralConvTranspose2d deconv = new SpectralConvTranspose2d(m, (int) dw[0], (int) dw[1], (int) dw[2], stride);
            spectralLayer(ref, report, "deconv", deconv, deconv::weight, convOut);

            Matcher args = QRELU_ARGS.matcher(ref.meta().path("what").asText());
            if (!args.find()) {
                report.fail("qrelu", "case.json 'what' does not give QReLU.apply(x, bit_depth=B, beta=BETA)");
                return;
            }
            QRelu q = new QRelu(Integer.parseInt(args.group(1)), Double.parseDouble(args.group(2)));
            NDArray in = array(m, ref.tensor("qrelu.in"));
            NDArray gradOut = array(m, ref.tensor("qrelu.grad_out"));
            in.setRequiresGradient(true);
            NDArray out;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                out = q.forward(in);
                gc.backward(out.mul(gradOut).sum());
            }
            report.compare("qrelu.out", out.toFloatArray(), ref.tensor("qrelu.out").toFloats(), UNIT_TOLERANCE);
            report.compare("qrelu.grad_in", in.getGradient().toFloatArray(), ref.tensor("qrelu.grad_in").toFloats(),
                    GRADIENT_TOLERANCE);
        }
    }

    /**
     * Loads a spectral layer from the case ({@code weight_transformed} from its real and imaginary
     * parts), compares the derived weight, the output on {@code x} and the gradients of
     * {@code sum(out * grad_out)}.
     */
    private static void spectralLayer(ReferenceCase ref, CaseReport report, String name, LayerModule layer,
            Supplier<NDArray> weight, NDArray x) {
        SafeTensors.Tensor transformed = SafeTensors.Tensor.ofComplex(ref.tensor(name + ".weight_transformed.real"),
                ref.tensor(name + ".weight_transformed.imag"));
        StateDicts.load(layer, Map.of("bias", ref.tensor(name + ".bias"), "weight_transformed", transformed),
                ref.name() + " " + name);
        try (NDArray w = weight.get()) {
            report.compare(name + ".weight", w.toFloatArray(), ref.tensor(name + ".weight").toFloats(), UNIT_TOLERANCE);
        }
        NDManager m = x.getManager();
        NDArray gradOut = array(m, ref.tensor(name + ".grad_out"));
        for (Param p : layer.parameters().values()) {
            p.value().setRequiresGradient(true);
        }
        NDArray out;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            out = layer.forward(x);
            gc.backward(out.mul(gradOut).sum());
        }
        report.compare(name + ".out", out.toFloatArray(), ref.tensor(name + ".out").toFloats(), UNIT_TOLERANCE);
        report.compare(name + ".grad.bias", layer.parameters().get("bias").value().getGradient().toFloatArray(),
                ref.tensor(name + ".grad.bias").toFloats(), GRADIENT_TOLERANCE);
        SafeTensors.Tensor grad = SafeTensors.Tensor.ofComplex(ref.tensor(name + ".grad.weight_transformed.real"),
                ref.tensor(name + ".grad.weight_transformed.imag"));
        report.compare(name + ".grad.weight_transformed", layer.parameters().get("weight_transformed").value().getGradient()
                .toFloatArray(), grad.toFloats(), GRADIENT_TOLERANCE);
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
