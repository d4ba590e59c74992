package dev.tinify.eval;

/** A quality axis of rate-distortion curves, in dB. */
public enum QualityAxis {
    /** PSNR of the RGB images (CompressAI's {@code psnr-rgb}). */
    PSNR("PSNR-RGB [dB]"),
    /** MS-SSIM of the RGB images, plotted and integrated as -10 log10(1 - MS-SSIM). */
    MS_SSIM("MS-SSIM-RGB [dB]");

    private final String axisLabel;

    QualityAxis(String axisLabel) {
        this.axisLabel = axisLabel;
    }

    public String axisLabel() {
        return axisLabel;
    }

    /** The metric named as on the command line: {@code psnr}, {@code ms-ssim} or {@code ms_ssim}. */
    public static QualityAxis parse(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "psnr", "psnr-rgb" -> PSNR;
            case "ms-ssim", "ms_ssim", "msssim", "ms-ssim-rgb" -> MS_SSIM;
            default -> throw new IllegalArgumentException("unknown metric '" + name + "', expected psnr or ms-ssim");
        };
    }

    /**
     * The curve's quality values in dB. MS-SSIM values are converted when the largest is at most 1
     * (files that already store dB are taken as they are), as the project's bdrate.py does.
     */
    public double[] qualityDb(ResultFile r) {
        int n = r.points().size();
        double[] q = new double[n];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            ResultFile.Point p = r.points().get(i);
            q[i] = this == PSNR ? p.psnr() : p.msSsim();
            if (!Double.isNaN(q[i])) {
                max = Math.max(max, q[i]);
            }
        }
        if (this == MS_SSIM && max <= 1.0) {
            for (int i = 0; i < n; i++) {
                q[i] = -10 * Math.log10(1 - q[i]);
            }
        }
        return q;
    }
}
