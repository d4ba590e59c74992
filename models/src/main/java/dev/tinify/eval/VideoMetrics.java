package dev.tinify.eval;

import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.metrics.MsSsim;
import dev.tinify.runtime.metrics.Psnr;
import dev.tinify.runtime.video.files.ColorSpace;
import dev.tinify.runtime.video.files.YuvFrame;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One decoded frame measured against its source as CompressAI's video evaluation does
 * ({@code compute_metrics_for_frame}), with its keys: {@code psnr-y}, {@code psnr-u},
 * {@code psnr-v} on the 8-bit planes (the source's as stored; the reconstruction converted to
 * YCbCr in the same colour space and chroma subsampling), {@code psnr-yuv} = (4·Y + U + V) / 6,
 * {@code ms-ssim-rgb}, {@code mse-rgb} and {@code psnr-rgb} on 8-bit RGB (the source as the codec
 * saw it). MS-SSIM is NaN when a side is 160 pixels or less (too small for five scales).
 */
public final class VideoMetrics {
    private static final int MS_SSIM_MIN_SIDE = 160;

    private VideoMetrics() {}

    /** The metrics of {@code reconstruction} against a source given both as stored and as RGB. */
    public static Map<String, Double> measure(YuvFrame source, RgbImage sourceRgb, RgbImage reconstruction, ColorSpace colorSpace) {
        YuvFrame rec = YuvFrame.fromRgb(reconstruction, source.chroma(), colorSpace);
        Map<String, Double> m = new LinkedHashMap<>();
        double y = Psnr.fromMse(mse(source.y(), rec.y()));
        double u = Psnr.fromMse(mse(source.u(), rec.u()));
        double v = Psnr.fromMse(mse(source.v(), rec.v()));
        m.put("psnr-y", y);
        m.put("psnr-u", u);
        m.put("psnr-v", v);
        m.put("psnr-yuv", (4 * y + u + v) / 6);
        double mseRgb = Psnr.mse8Bit(sourceRgb, reconstruction);
        m.put("ms-ssim-rgb", Math.min(sourceRgb.height(), sourceRgb.width()) > MS_SSIM_MIN_SIDE
                ? MsSsim.of(sourceRgb, reconstruction) : Double.NaN);
        m.put("mse-rgb", mseRgb);
        m.put("psnr-rgb", Psnr.fromMse(mseRgb));
        return m;
    }

    /** Mean squared difference of two planes of 8-bit samples. */
    static double mse(byte[] a, byte[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("planes of " + a.length + " and " + b.length + " samples");
        }
        long sum = 0;
        for (int i = 0; i < a.length; i++) {
            long d = (a[i] & 0xff) - (b[i] & 0xff);
            sum += d * d;
        }
        return (double) sum / a.length;
    }
}
