package dev.tinify.runtime.video;

import ai.djl.ndarray.NDArray;
import dev.tinify.runtime.layers.AnyChannelsLayer;

/**
 * The {@code gaussian_volume} layer: a frame [N, C, H, W] to its Gaussian scale-space volume
 * [N, C, levels + 1, H, W] ({@link ScaleSpace#volume}). No parameters.
 */
public final class GaussianVolume extends AnyChannelsLayer {
    private final double sigma0;
    private final int levels;

    /** The volume of {@code levels} blur levels above the frame, the first blurred with σ₀ = {@code sigma0}. */
    public GaussianVolume(double sigma0, int levels) {
        if (levels < 1 || levels > 8 || !(sigma0 > 0) || sigma0 > 64) {
            throw new IllegalArgumentException("gaussian_volume needs 1..8 levels and 0 < sigma0 <= 64, got " + levels + " and " + sigma0);
        }
        this.sigma0 = sigma0;
        this.levels = levels;
    }

    /** Height and width must be multiples of this, so that every pyramid level halves exactly. */
    public int sizeMultiple() {
        return 1 << (levels - 1);
    }

    @Override
    public NDArray forward(NDArray x) {
        return ScaleSpace.volume(x, sigma0, levels);
    }

    @Override
    public String describe() {
        return "GaussianVolume(sigma0=" + sigma0 + ", levels=" + levels + ")";
    }
}
