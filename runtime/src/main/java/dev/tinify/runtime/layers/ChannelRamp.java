package dev.tinify.runtime.layers;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * CompressAI's {@code sequential_channel_ramp}: {@code numLayers} layers whose channel counts
 * move from {@code in} to {@code out} along a linear (or logarithmic) ramp, interleaved with
 * activations. The counts are the {@code numLayers + 1} float32 points of
 * {@code torch.linspace(in, out)} (or {@code logspace}) rounded down, with the inner counts raised
 * to at least {@code minCh}. ELIC's parameter aggregation is {@code sequential(in, 2·g, 2N, 3,
 * LINEAR, (a, b) -> conv1x1(a, b), ReLU, true)}: for N=16 and group 4 that is 40 → 32 → 32 → 8.
 */
public final class ChannelRamp {
    /** How channel counts are interpolated. */
    public enum Interp { LINEAR, LOG }

    /** Builds the layer between two channel counts. */
    @FunctionalInterface
    public interface LayerFactory {
        LayerModule create(int in, int out);
    }

    private ChannelRamp() {}

    /** The channel counts, {@code numLayers + 1} of them, first {@code in}, last {@code out}. */
    public static int[] channels(int in, int out, int minCh, int numLayers, Interp interp) {
        if (in <= 0 || out <= 0 || numLayers <= 0) {
            throw new IllegalArgumentException("channel ramp needs positive channels and layers, got in=" + in + " out=" + out
                    + " layers=" + numLayers);
        }
        int steps = numLayers + 1;
        float start = interp == Interp.LINEAR ? in : (float) Math.log10(in);
        float end = interp == Interp.LINEAR ? out : (float) Math.log10(out);
        float step = (end - start) / (steps - 1);
        int[] ch = new int[steps];
        for (int i = 0; i < steps; i++) {
            // torch.linspace's float32 formula: forward from the start for the first half, backward from the end after.
            float v = i < steps / 2 ? start + step * i : end - step * (steps - i - 1);
            if (interp == Interp.LOG) {
                v = (float) Math.pow(10, v);
            }
            ch[i] = (int) Math.floor(v);
            if (i > 0 && i < steps - 1) {
                ch[i] = Math.max(ch[i], minCh);
            }
        }
        return ch;
    }

    /**
     * The ramp as a {@link Sequential}: layer, activation, layer, ..., layer (the last activation
     * dropped when {@code skipLastAct}), so layers sit at even indices.
     */
    public static Sequential sequential(int in, int out, int minCh, int numLayers, Interp interp,
            LayerFactory makeLayer, Supplier<? extends LayerModule> makeAct, boolean skipLastAct) {
        int[] ch = channels(in, out, minCh, numLayers, interp);
        List<LayerModule> layers = new ArrayList<>();
        for (int i = 0; i + 1 < ch.length; i++) {
            layers.add(makeLayer.create(ch[i], ch[i + 1]));
            if (!skipLastAct || i + 2 < ch.length) {
                layers.add(makeAct.get());
            }
        }
        return new Sequential(layers);
    }
}
