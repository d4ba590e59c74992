package dev.tinify.dsl;

import java.util.Locale;

/**
 * The distortion a model is trained for, as in CompressAI's zoo: {@code mse} or {@code ms-ssim}.
 * It names the lambda table of a spec's zoo section, selects the trained weights, and sets the
 * training loss.
 */
public enum Metric {
    /** Mean squared error on RGB in [0, 1]; loss {@code lambda * 255^2 * MSE + rate}. */
    MSE("mse"),
    /** Multi-scale SSIM; loss {@code lambda * (1 - MS-SSIM) + rate}. */
    MS_SSIM("ms-ssim");

    private final String id;

    Metric(String id) {
        this.id = id;
    }

    /** The name used in spec files and weight file names: {@code mse} or {@code ms-ssim}. */
    public String id() {
        return id;
    }

    /**
     * Parses {@code mse}, {@code ms-ssim}, {@code ms_ssim} or {@code msssim} (any case), the
     * spellings every command accepts.
     *
     * @throws IllegalArgumentException for any other name, with the closest one when there is one
     */
    public static Metric parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
        for (Metric m : values()) {
            if (m.id.replace("-", "").equals(k)) {
                return m;
            }
        }
        String near = Kinds.nearest(s.trim().toLowerCase(Locale.ROOT), java.util.List.of("mse", "ms-ssim"));
        throw new IllegalArgumentException("unknown metric '" + s + "': expected mse or ms-ssim"
                + (near != null ? " (did you mean '" + near + "'?)" : ""));
    }
}
