package dev.tinify.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.nn.ForwardScope;
import dev.tinify.runtime.nn.Layer;
import dev.tinify.runtime.nn.Param;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes a randomly initialized model code like a trained one, as the fixtures and CompressAI's
 * timing anchors did: untrained latents are so small that everything quantizes to 0. The last
 * top-level convolution of {@code g_a} is rescaled until the latent has standard deviation 4
 * (the hyper-analysis {@code h_a} likewise to 2), and the Gaussian scale channels of the layer
 * that predicts them get a bias of +4, so that the predicted scales match the latents' spread
 * (a model that over-predicts its scales pays extra for the scale table's rounding) and escapes
 * are rare. Only parameter values change; call {@code update(true)} afterwards.
 */
public final class Calibration {
    /** Target standard deviation of {@code g_a(x)}. */
    public static final double LATENT_STD = 4;
    /** Target standard deviation of {@code h_a(y)}. */
    public static final double HYPER_LATENT_STD = 2;
    /** Added to the bias of every Gaussian scale channel. */
    public static final float SCALE_BIAS = 4f;
    private static final int PASSES = 5;

    private Calibration() {}

    /** Calibrates {@code model} on the image batch {@code x} (see the class comment). */
    public static void apply(CompressionModel model, NDArray x) {
        Map<String, Param> sd = model.stateDict();
        try (NDManager m = x.getManager().newSubManager()) {
            NDArray y = rescale(model, "g_a", x, LATENT_STD, m);
            String hA = find(sd, "(.*\\.)?h_a").orElse(null);
            if (hA != null) {
                rescale(model, hA, y, HYPER_LATENT_STD, m);
            }
        }
        // The Gaussian parameters come from entropy_parameters where there is one, else from h_s.
        boolean any = false;
        Pattern ep = Pattern.compile("(.*entropy_parameters)\\.(\\d+)\\.weight");
        for (String key : sd.keySet()) {
            Matcher mt = ep.matcher(key);
            if (mt.matches() && lastConv(sd, mt.group(1)).equals(mt.group(1) + "." + mt.group(2))) {
                shiftScales(model, sd, mt.group(1) + "." + mt.group(2));
                any = true;
            }
        }
        if (!any) {
            find(sd, "(.*\\.)?h_s").ifPresent(hS -> shiftScales(model, sd, lastConv(sd, hS)));
        }
    }

    /** Scales the last top-level convolution of {@code path} so that its output has the target std; returns the output. */
    private static NDArray rescale(CompressionModel model, String path, NDArray in, double target, NDManager keep) {
        Map<String, Param> sd = model.stateDict();
        String conv = lastConv(sd, path);
        Param w = sd.get(conv + ".weight");
        Param b = sd.get(conv + ".bias");
        Layer layer = Codecs.layer(model, path);
        NDArray out = null;
        for (int pass = 0; pass < PASSES; pass++) {
            try (ForwardScope s = ForwardScope.open(keep, model)) {
                s.input(in);
                out = s.keep(layer.forward(in));
            }
            double std = std(out.toFloatArray());
            double f = target / std;
            if (Math.abs(f - 1) < 0.02) {
                break;
            }
            w.set(w.value().mul((float) f));
            if (b != null) {
                b.set(b.value().mul((float) f));
            }
        }
        return out;
    }

    private static void shiftScales(CompressionModel model, Map<String, Param> sd, String conv) {
        Param b = sd.get(conv + ".bias");
        float[] bias = b.value().toFloatArray();
        int c = bias.length;
        String arch = model.name();
        // Chunk layout of the Gaussian parameters: ScaleHyperprior predicts scales only; Chandelier's
        // ELIC puts the means first; every other architecture puts the scales first.
        int from = arch.equals("elic2022-chandelier") ? c / 2 : 0;
        int to = arch.equals("bmshj2018-hyperprior") ? c : from + c / 2;
        for (int i = from; i < to; i++) {
            bias[i] += SCALE_BIAS;
        }
        b.set(b.value().getManager().create(bias, b.value().getShape()));
    }

    /** The first module path matching {@code regex} that has top-level convolutions. */
    private static Optional<String> find(Map<String, Param> sd, String regex) {
        Pattern p = Pattern.compile("(" + regex + ")\\.\\d+\\.weight");
        return sd.keySet().stream().map(p::matcher).filter(Matcher::matches).map(mt -> mt.group(1)).findFirst();
    }

    /** {@code path.<i>} of the highest i with a 4-d {@code weight}: the sequence's last convolution. */
    private static String lastConv(Map<String, Param> sd, String path) {
        Pattern p = Pattern.compile(Pattern.quote(path) + "\\.(\\d+)\\.weight");
        int best = -1;
        for (Map.Entry<String, Param> e : sd.entrySet()) {
            Matcher mt = p.matcher(e.getKey());
            if (mt.matches() && e.getValue().value().getShape().dimension() == 4) {
                best = Math.max(best, Integer.parseInt(mt.group(1)));
            }
        }
        if (best < 0) {
            throw new IllegalArgumentException(path + " has no top-level convolution to calibrate");
        }
        return path + "." + best;
    }

    static double std(float[] v) {
        double sum = 0;
        double sq = 0;
        for (float f : v) {
            sum += f;
            sq += (double) f * f;
        }
        double mean = sum / v.length;
        return Math.sqrt(Math.max(sq / v.length - mean * mean, 1e-12));
    }
}
