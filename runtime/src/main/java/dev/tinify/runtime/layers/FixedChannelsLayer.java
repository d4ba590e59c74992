package dev.tinify.runtime.layers;

/**
 * A layer with fixed input and output channel counts (convolutions, normalizations, blocks): it
 * answers {@link #inChannels()} and {@link #outChannels(int)} from them and describes itself as
 * {@code Name(in→out…)}, or {@code Name(channels…)} when built with one count.
 */
public abstract class FixedChannelsLayer extends LayerModule {
    /** The input channel count. */
    protected final int in;
    /** The output channel count. */
    protected final int out;
    /** Built with one count, so described by it alone. */
    private final boolean sameChannels;

    /** A layer that keeps {@code channels} channels. */
    protected FixedChannelsLayer(int channels) {
        this(channels, channels, true);
    }

    /** A layer from {@code in} to {@code out} channels. */
    protected FixedChannelsLayer(int in, int out) {
        this(in, out, false);
    }

    private FixedChannelsLayer(int in, int out, boolean sameChannels) {
        this.in = in;
        this.out = out;
        this.sameChannels = sameChannels;
    }

    @Override
    public final int inChannels() {
        return in;
    }

    @Override
    public final int outChannels(int inChannels) {
        requireChannels(in, inChannels);
        return out;
    }

    /** What {@link #describe()} shows after the channel counts, e.g. {@code ", s2"}; empty by default. */
    protected String describeDetails() {
        return "";
    }

    @Override
    public final String describe() {
        String channels = sameChannels ? Integer.toString(in) : in + "→" + out;
        return getClass().getSimpleName() + "(" + channels + describeDetails() + ")";
    }
}
