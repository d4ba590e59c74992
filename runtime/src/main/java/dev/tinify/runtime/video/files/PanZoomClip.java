package dev.tinify.runtime.video.files;

import dev.tinify.runtime.image.RgbImage;
import org.jspecify.annotations.Nullable;

/**
 * A synthetic clip made from one photograph by moving a crop window over it: frame t shows the
 * window of {@code scale(t)·width x scale(t)·height} source pixels whose top-left corner is at
 * {@code (x0 + t·dx, y0 + t·dy)}, resampled bilinearly to {@code width x height}; the scale
 * changes by the factor {@code zoom} per frame (below 1 zooms in). The window is kept inside the
 * photograph (it stops at the border). This stands in for real footage: camera-like global motion
 * of a few pixels per frame, with no moving objects, occlusions or noise.
 */
public final class PanZoomClip implements FrameReader {
    private final RgbImage source;
    private final VideoFormat format;
    private final int frames;
    private final double dx;
    private final double dy;
    private final double zoom;
    private final double scale0;
    private int next;

    /**
     * @param source the photograph
     * @param width output width
     * @param height output height
     * @param frames number of frames
     * @param dx horizontal motion of the window in source pixels per frame
     * @param dy vertical motion in source pixels per frame
     * @param zoom per-frame factor of the window size
     */
    public PanZoomClip(RgbImage source, int width, int height, int frames, double dx, double dy, double zoom, int fpsNum, int fpsDen) {
        this.format = new VideoFormat(width, height, fpsNum, fpsDen, Chroma.C444);
        if (frames < 1 || !(zoom > 0) || !Double.isFinite(dx) || !Double.isFinite(dy)) {
            throw new IllegalArgumentException("a pan/zoom clip needs frames >= 1, zoom > 0 and finite motion");
        }
        this.source = source;
        this.frames = frames;
        this.dx = dx;
        this.dy = dy;
        this.zoom = zoom;
        // The largest window of the output's aspect ratio that fits, shrunk so the motion has room.
        double fit = Math.min((double) source.width() / width, (double) source.height() / height);
        this.scale0 = fit * 0.9;
    }

    @Override
    public VideoFormat format() {
        return format;
    }

    @Override
    public @Nullable RgbImage next() {
        if (next >= frames) {
            return null;
        }
        int t = next++;
        int w = format.width();
        int h = format.height();
        double scale = scale0 * Math.pow(zoom, t);
        double winW = Math.min(scale * w, source.width() - 1);
        double winH = Math.min(scale * h, source.height() - 1);
        double x0 = clamp((source.width() - 1 - winW) / 4 + t * dx, 0, source.width() - 1 - winW);
        double y0 = clamp((source.height() - 1 - winH) / 4 + t * dy, 0, source.height() - 1 - winH);
        float[] src = source.data();
        int sw = source.width();
        int sh = source.height();
        float[] out = new float[3 * w * h];
        for (int y = 0; y < h; y++) {
            double sy = y0 + (y + 0.5) * winH / h;
            int iy = (int) Math.floor(sy);
            double fy = sy - iy;
            int iy1 = Math.min(iy + 1, sh - 1);
            for (int x = 0; x < w; x++) {
                double sx = x0 + (x + 0.5) * winW / w;
                int ix = (int) Math.floor(sx);
                double fx = sx - ix;
                int ix1 = Math.min(ix + 1, sw - 1);
                for (int c = 0; c < 3; c++) {
                    int base = c * sh * sw;
                    double top = src[base + iy * sw + ix] * (1 - fx) + src[base + iy * sw + ix1] * fx;
                    double bottom = src[base + iy1 * sw + ix] * (1 - fx) + src[base + iy1 * sw + ix1] * fx;
                    out[(c * h + y) * w + x] = (float) (top * (1 - fy) + bottom * fy);
                }
            }
        }
        return new RgbImage(h, w, out);
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    @Override
    public void close() {
        next = frames;
    }
}
