package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * {@code nn.Sequential}: layers applied in order, named {@code "0"}, {@code "1"}, ... so that their
 * keys read {@code 0.weight}, {@code 2.beta}, ... Layers without parameters (activations) still
 * take an index, as in PyTorch. Sequences nest.
 */
public class Sequential extends LayerModule {
    private final List<LayerModule> layers = new ArrayList<>();

    public Sequential(LayerModule... layers) {
        this(List.of(layers));
    }

    public Sequential(List<? extends LayerModule> layers) {
        for (LayerModule l : layers) {
            child(Integer.toString(this.layers.size()), l);
            this.layers.add(l);
        }
    }

    public List<LayerModule> layers() {
        return Collections.unmodifiableList(layers);
    }

    public LayerModule get(int index) {
        return layers.get(index);
    }

    public int size() {
        return layers.size();
    }

    @Override
    public NDArray forward(NDArray x) {
        return pipe(x, layers.toArray(new LayerModule[0]));
    }

    @Override
    public int inChannels() {
        for (LayerModule l : layers) {
            int in = l.inChannels();
            if (in != ANY) {
                return in;
            }
        }
        return ANY;
    }

    @Override
    public int outChannels(int inChannels) {
        int c = inChannels;
        for (int i = 0; i < layers.size(); i++) {
            try {
                c = layers.get(i).outChannels(c);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("layer " + i + " of " + describe() + ": " + e.getMessage(), e);
            }
        }
        return c;
    }

    @Override
    public int downsampling() {
        return product(LayerModule::downsampling);
    }

    @Override
    public int upsampling() {
        return product(LayerModule::upsampling);
    }

    /** The product of a spatial factor over the layers (they apply one after another). */
    private int product(ToIntFunction<LayerModule> factor) {
        int f = 1;
        for (LayerModule l : layers) {
            f = Math.multiplyExact(f, factor.applyAsInt(l));
        }
        return f;
    }

    @Override
    public String describe() {
        return getClass().getSimpleName() + "[" + layers.size() + " layers]";
    }
}
