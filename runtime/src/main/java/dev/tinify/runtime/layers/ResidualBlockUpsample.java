package dev.tinify.runtime.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * CompressAI's {@code ResidualBlockUpsample(in, out, upsample)}:
 * {@code igdn(conv(leaky(subpel_conv(x)))) + upsample(x)}, where both {@code subpel_conv} and
 * {@code upsample} are {@link SubpelConv3x3} by the factor. Keys: {@code subpel_conv.0.*},
 * {@code conv.*}, {@code igdn.*}, {@code upsample.0.*}.
 */
public final class ResidualBlockUpsample extends FixedChannelsLayer {
    private final int factor;
    private final SubpelConv3x3 subpelConv;
    private final Conv2d conv;
    private final Gdn igdn;
    private final SubpelConv3x3 upsample;
    private final Activation act = Activation.leakyRelu();

    /** CompressAI's default factor 2. */
    public ResidualBlockUpsample(NDManager manager, int in, int out) {
        this(manager, in, out, 2);
    }

    public ResidualBlockUpsample(NDManager manager, int in, int out, int factor) {
        super(in, out);
        this.factor = factor;
        this.subpelConv = child("subpel_conv", new SubpelConv3x3(manager, in, out, factor));
        this.conv = child("conv", Conv2d.conv3x3(manager, out, out));
        this.igdn = child("igdn", new Gdn(manager, out, true));
        this.upsample = child("upsample", new SubpelConv3x3(manager, in, out, factor));
    }

    @Override
    public NDArray forward(NDArray x) {
        requireInput(x);
        NDArray y = pipe(x, subpelConv, act, conv, igdn);
        return addShortcut(y, x, upsample);
    }

    @Override
    public int upsampling() {
        return factor;
    }

    @Override
    protected String describeDetails() {
        return ", x" + factor;
    }
}
