package dev.tinify.runtime.video.stream;

import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.video.files.Chroma;
import dev.tinify.runtime.video.files.ColorSpace;
import java.util.HexFormat;

/**
 * What a decoder needs before the first frame: the model (architecture, channel counts, weights
 * fingerprint, quality, metric, entropy coder), the frame size and the padding the encoder added,
 * the frame rate, the keyframe interval (GOP) and the source's chroma and colour space (so that a
 * decoded Y4M is written as the source was).
 *
 * @param weightsFingerprint lowercase hex, 32 digits
 * @param gop a keyframe every {@code gop} frames (1: every frame is a keyframe)
 */
public record VideoHeader(String architecture, int midPlanes, int planes, String weightsFingerprint, int quality, String metric,
        String entropyCoder, int width, int height, Padding padding, int fpsNum, int fpsDen, int gop, Chroma chroma,
        ColorSpace colorSpace) {

    static final int FINGERPRINT_BYTES = 16;
    static final int MAX_TEXT = 255;
    static final int MAX_U16 = 65535;

    public VideoHeader {
        text("architecture", architecture);
        text("metric", metric);
        text("entropy coder", entropyCoder);
        if (midPlanes < 1 || planes < 1 || midPlanes > MAX_U16 || planes > MAX_U16) {
            throw new IllegalArgumentException("channel counts " + midPlanes + ", " + planes + " are outside 1.." + MAX_U16);
        }
        if (HexFormat.of().parseHex(weightsFingerprint).length != FINGERPRINT_BYTES
                || !weightsFingerprint.equals(weightsFingerprint.toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException("weights fingerprint must be " + 2 * FINGERPRINT_BYTES + " lowercase hex digits");
        }
        if (quality < 0 || quality > MAX_U16) {
            throw new IllegalArgumentException("quality " + quality + " is outside 0.." + MAX_U16);
        }
        RgbImage.checkSize(height, width);
        RgbImage.checkSize(padding.paddedHeight(height), padding.paddedWidth(width));
        if (Math.max(Math.max(padding.left(), padding.right()), Math.max(padding.top(), padding.bottom())) > MAX_U16) {
            throw new IllegalArgumentException("padding " + padding + " exceeds " + MAX_U16 + " on a side");
        }
        if (fpsNum < 1 || fpsDen < 1) {
            throw new IllegalArgumentException("frame rate " + fpsNum + ":" + fpsDen + " must be positive");
        }
        if (gop < 1) {
            throw new IllegalArgumentException("keyframe interval " + gop + " must be at least 1");
        }
    }

    private static void text(String what, String s) {
        if (s.isEmpty() || s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_TEXT || s.chars().anyMatch(c -> c < 0x20)) {
            throw new IllegalArgumentException(what + " must be 1.." + MAX_TEXT + " bytes of text without control characters");
        }
    }

    /** Whether frame {@code index} is a keyframe. */
    public boolean isKeyframe(long index) {
        return index % gop == 0;
    }
}
