package dev.tinify.runtime.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.layers.Activation;
import dev.tinify.runtime.layers.Conv2d;
import dev.tinify.runtime.layers.LayerModule;
import dev.tinify.runtime.layers.Sequential;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.nn.Param;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Starts a top-level module of plain convolutions as a pass-through: each convolution copies its
 * first {@code channels} input channels to the same output channels (a one at the kernel's centre),
 * every other weight is drawn from N(0, {@value #SPREAD}²) and the biases are zero. Through ReLU,
 * LeakyReLU or identity activations the module then returns those channels of its input, exactly
 * where they are non-negative (scales after a ReLU) and up to the small random term. A context
 * model warm-started from a hyperprior with its entropy parameters started so passes the
 * hyperprior's scales through, with zero means: it begins at the hyperprior's rate-distortion point
 * instead of far above it. The random term makes the other units differ, so that they train.
 */
public final class PassThrough {
    /** Spread of the weights that are not copies: small against the copy, large enough to break symmetry. */
    public static final double SPREAD = 1e-3;

    private PassThrough() {}

    /**
     * Re-initializes {@code model}'s top-level module {@code name} (before a {@link Trainer} is
     * made for it, after any warm start).
     *
     * @param channels how many leading channels pass through; 0 for as many as the narrowest layer has
     * @param random the source of the other weights (seeded, for repeatable runs)
     * @return the number of channels that pass through
     * @throws IllegalArgumentException naming the module when it is not a module of the model,
     *     holds a layer other than a stride-1 convolution with centred odd kernel or a ReLU,
     *     LeakyReLU or identity, or has fewer channels than asked for; the model is then unchanged
     */
    public static int apply(Module model, String name, int channels, Random random) {
        Module module = model.children().get(name);
        if (module == null) {
            throw new IllegalArgumentException("cannot start '" + name + "' as a pass-through: no such top-level module (modules: "
                    + String.join(", ", model.children().keySet()) + ")");
        }
        List<Conv2d> convs = new ArrayList<>();
        List<LayerModule> layers = module instanceof Sequential s ? s.layers() : module instanceof LayerModule l ? List.of(l) : List.of();
        if (layers.isEmpty()) {
            throw notPlain(name, "a " + module.getClass().getSimpleName());
        }
        int narrowest = Integer.MAX_VALUE;
        for (int i = 0; i < layers.size(); i++) {
            LayerModule l = layers.get(i);
            if (l.getClass() == Conv2d.class) {
                Conv2d c = (Conv2d) l;
                if (c.stride() != 1 || c.kernel() % 2 == 0 || c.padding() != c.kernel() / 2) {
                    throw notPlain(name, "layer " + i + " " + c.describe());
                }
                convs.add(c);
                narrowest = Math.min(narrowest, Math.min(c.inChannels(), c.outChannels(c.inChannels())));
            } else if (!(l instanceof Activation a && (a.kind() == Activation.Kind.RELU || a.kind() == Activation.Kind.LEAKY_RELU
                    || a.kind() == Activation.Kind.IDENTITY))) {
                throw notPlain(name, "layer " + i + " " + l.describe());
            }
        }
        if (convs.isEmpty()) {
            throw notPlain(name, "no convolution");
        }
        if (channels < 0 || channels > narrowest) {
            throw new IllegalArgumentException("cannot pass " + channels + " channels through '" + name + "': its narrowest layer has "
                    + narrowest + " (give 1.." + narrowest + ", or 0 for all of them)");
        }
        int passed = channels == 0 ? narrowest : channels;
        for (Conv2d c : convs) {
            reset(c, passed, random);
        }
        return passed;
    }

    private static IllegalArgumentException notPlain(String name, String found) {
        return new IllegalArgumentException("cannot start '" + name + "' as a pass-through: found " + found
                + " (expected convolutions of stride 1 with centred odd kernels, and ReLU, LeakyReLU or identity between them)");
    }

    private static void reset(Conv2d c, int passed, Random random) {
        int in = c.inChannels();
        int out = c.outChannels(in);
        int k = c.kernel();
        float[] w = new float[out * in * k * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextGaussian() * SPREAD);
        }
        int centre = (k / 2) * k + k / 2;
        for (int ch = 0; ch < passed; ch++) {
            w[(ch * in + ch) * k * k + centre] = 1f;
        }
        Param weight = c.ownParams().get("weight");
        NDManager m = weight.value().getManager();
        weight.set(m.create(w, new Shape(out, in, k, k)));
        Param bias = c.ownParams().get("bias");
        if (bias != null) {
            bias.set(m.zeros(new Shape(out)));
        }
    }
}
