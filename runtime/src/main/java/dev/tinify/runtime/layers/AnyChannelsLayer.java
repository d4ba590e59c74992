package dev.tinify.runtime.layers;

/** A layer that takes any channel count and keeps it (activations, pooling over points). */
public abstract class AnyChannelsLayer extends LayerModule {
    @Override
    public final int inChannels() {
        return ANY;
    }

    @Override
    public final int outChannels(int inChannels) {
        return inChannels;
    }
}
