package dev.tinify.cli;

import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.metrics.MsSsim;
import dev.tinify.runtime.metrics.Psnr;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** PSNR and MS-SSIM of a decoded image against its source, as the encode and decode commands print them. */
final class Quality {
    /** MS-SSIM's five scales need both sides larger than this. */
    private static final int MS_SSIM_MIN_SIDE = 160;

    private Quality() {}

    /** {@code psnr-rgb} and {@code ms-ssim-rgb} (NaN when the image is too small for MS-SSIM), CompressAI's keys. */
    static Map<String, Object> measure(RgbImage source, RgbImage decoded) {
        if (source.height() != decoded.height() || source.width() != decoded.width()) {
            throw new IllegalArgumentException("the reference image is " + source.width() + "x" + source.height()
                    + " but the decoded image is " + decoded.width() + "x" + decoded.height());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("psnr-rgb", Psnr.of(source, decoded));
        m.put("ms-ssim-rgb", Math.min(source.height(), source.width()) > MS_SSIM_MIN_SIDE ? MsSsim.of(source, decoded) : Double.NaN);
        return m;
    }

    static String format(Map<String, Object> m) {
        double psnr = (double) m.get("psnr-rgb");
        double msssim = (double) m.get("ms-ssim-rgb");
        return String.format(Locale.ROOT, "PSNR %.3f dB, MS-SSIM %s", psnr, Double.isNaN(msssim)
                ? "n/a (needs both sides > " + MS_SSIM_MIN_SIDE + " px)"
                : String.format(Locale.ROOT, "%.5f (%.3f dB)", msssim, MsSsim.toDb(msssim)));
    }
}
