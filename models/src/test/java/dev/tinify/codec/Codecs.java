package dev.tinify.codec;

import ai.djl.ndarray.NDArray;
import dev.tinify.check.RecordingCoder;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.coding.EntropyCoder;
import dev.tinify.runtime.entropy.EntropyModel;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.nn.ForwardScope;
import dev.tinify.runtime.nn.Layer;
import dev.tinify.runtime.nn.Module;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Latent-level access to a compiled model for the codec tests: the quantized latent the encoder
 * codes ({@code y_hat}) next to its strings, the latent a decoder rebuilds from strings, and the
 * entropy models by their state-dict prefix.
 */
public final class Codecs {
    /** The ten image architectures whose models are real codecs. */
    public static final List<String> ARCHITECTURES = List.of("bmshj2018-factorized", "bmshj2018-factorized-relu",
            "bmshj2018-hyperprior", "mbt2018-mean", "mbt2018", "cheng2020-anchor", "cheng2020-attn",
            "cheng2020-anchor-checkerboard", "elic2022-official", "elic2022-chandelier");

    /** What the encoder produced: strings, shape and the quantized latent it coded. */
    public record Encoded(List<List<byte[]>> strings, Object shape, float[] yHat) {
        /** Total bytes of all strings. */
        public long bytes() {
            return strings.stream().flatMap(List::stream).mapToLong(s -> s.length).sum();
        }
    }

    private Codecs() {}

    /** {@code g_a(x)} then the root latent codec's compress, keeping its quantized latent. */
    public static Encoded encode(CompressionModel model, NDArray x) {
        try (ForwardScope s = ForwardScope.open(x.getManager(), model)) {
            s.input(x);
            NDArray y = layer(model, "g_a").forward(x);
            LatentCodec.CompressOut out = model.latentCodec().compress(y, null);
            return new Encoded(out.strings(), out.shape(), out.yHat().toFloatArray());
        }
    }

    /** The root latent codec's decompress: the latent a decoder rebuilds from {@code strings}. */
    public static float[] decodeLatent(CompressionModel model, List<List<byte[]>> strings, Object shape) {
        try (ForwardScope s = ForwardScope.open(model.manager(), model)) {
            return model.latentCodec().decompress(s.manager(), strings, shape, null).toFloatArray();
        }
    }

    /** The module at a dotted path ({@code latent_codec.hyper.h_a}). */
    public static Module module(Module root, String path) {
        Module m = root;
        for (String part : path.split("\\.")) {
            Module next = m.children().get(part);
            if (next == null) {
                throw new IllegalArgumentException("no module '" + part + "' in '" + path + "' (children: " + m.children().keySet() + ")");
            }
            m = next;
        }
        return m;
    }

    /** The layer at a dotted path. */
    public static Layer layer(Module root, String path) {
        if (!(module(root, path) instanceof Layer l)) {
            throw new IllegalArgumentException(path + " is not a layer");
        }
        return l;
    }

    /** Every entropy model of the tree by its state-dict prefix ({@code latent_codec.hyper.entropy_bottleneck}). */
    public static Map<String, EntropyModel> entropyModels(Module root) {
        Map<String, EntropyModel> out = new LinkedHashMap<>();
        collect(root, "", out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    private static void collect(Module m, String prefix, Map<String, EntropyModel> out, Set<Module> seen) {
        if (!seen.add(m)) {
            return;
        }
        if (m instanceof EntropyModel e) {
            out.put(prefix, e);
        }
        m.children().forEach((name, c) -> collect(c, prefix.isEmpty() ? name : prefix + "." + name, out, seen));
    }

    /** Positions where two int arrays differ (at most {@code limit}), as "at i: a vs b" texts. */
    static List<String> differences(int[] ours, int[] theirs, int limit) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < Math.min(ours.length, theirs.length) && out.size() < limit; i++) {
            if (ours[i] != theirs[i]) {
                out.add("at " + i + ": ours " + ours[i] + ", CompressAI " + theirs[i]);
            }
        }
        if (ours.length != theirs.length) {
            out.add("lengths: ours " + ours.length + ", CompressAI " + theirs.length);
        }
        return out;
    }

    /** Index of the first difference, or -1. */
    static int firstDifference(int[] a, int[] b) {
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            if (a[i] != b[i]) {
                return i;
            }
        }
        return a.length == b.length ? -1 : Math.min(a.length, b.length);
    }

    /** Replaces the coder of every entropy model by a recording one around {@code coder}; by state-dict prefix. */
    static Map<String, RecordingCoder> record(CompressionModel model, EntropyCoder coder) {
        return RecordingCoder.install(entropyModels(model), coder);
    }
}
