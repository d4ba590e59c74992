package dev.tinify.runtime.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import dev.tinify.runtime.container.TinifyFormatException;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.video.stream.FrameRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Frame-by-frame coding of a clip: the keyframe pattern, padding, and a decoder that rebuilds the
 * encoder's reconstructions exactly from the records alone.
 */
class ClipCoderTest {

    /** A smooth pattern that pans by {@code shift} pixels. */
    private static RgbImage frame(int h, int w, int shift) {
        float[] d = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double u = (x + shift) / 9.0;
                    d[(c * h + y) * w + x] = (float) (0.5 + 0.4 * Math.sin(u + c) * Math.cos(y / 7.0 - c));
                }
            }
        }
        return new RgbImage(h, w, d);
    }

    @Test
    void decoderRebuildsTheEncodersFramesExactly() throws TinifyFormatException {
        Engine.getInstance().setRandomSeed(5);
        try (VideoModel model = SsfSpec.build(Map.of("mid_planes", 8, "planes", 8))) {
            model.update(true);
            int h = 100;
            int w = 130;
            List<FrameRecord> records = new ArrayList<>();
            List<RgbImage> recons = new ArrayList<>();
            try (ClipCoder enc = new ClipCoder(model, h, w, 3)) {
                assertEquals(256, enc.padding().paddedWidth(w));
                for (int i = 0; i < 5; i++) {
                    ClipCoder.Coded c = enc.encode(frame(h, w, 2 * i));
                    records.add(c.record());
                    recons.add(c.reconstruction());
                }
            }
            assertEquals(List.of(true, false, false, true, false), records.stream().map(FrameRecord::keyframe).toList());
            try (ClipCoder dec = new ClipCoder(model, h, w, 3)) {
                for (int i = 0; i < 5; i++) {
                    RgbImage out = dec.decode(records.get(i));
                    assertEquals(h, out.height());
                    assertEquals(w, out.width());
                    assertArrayEquals(recons.get(i).data(), out.data(), "frame " + i);
                }
            }
            try (ClipCoder dec = new ClipCoder(model, h, w, 3)) {
                assertThrows(TinifyFormatException.class, () -> dec.decode(records.get(1)), "an inter frame cannot start a clip");
            }
        }
    }
}
