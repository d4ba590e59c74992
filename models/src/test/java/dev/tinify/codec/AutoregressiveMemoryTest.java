package dev.tinify.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.ResidentMemory;
import dev.tinify.Tinify;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Repeated autoregressive decodes (mbt2018, position by position) must not grow native memory:
 * every array of the hyper decoder, the context engine and the synthesis is freed.
 */
class AutoregressiveMemoryTest {
    private static final int WARM_UP = 10;
    private static final int DECODES = 50;
    private static final long MAX_GROWTH_KIB = 50 * 1024;

    @Test
    void fiftyDecodesKeepRssFlat() throws IOException {
        Engine.getInstance().setRandomSeed(3);
        RgbImage img = ImageFiles.read(ReferenceCase.sharedDir().resolve("data/dev8/pier.png"));
        RgbImage crop = img.crop(new Padding(0, img.width() - 128, 0, img.height() - 128));
        try (CompressionModel model = Tinify.build("mbt2018", Map.of("N", 32, "M", 32));
                NDManager data = NDManager.newBaseManager()) {
            NDArray x = crop.toNDArray(data);
            Calibration.apply(model, x);
            model.update(true);
            Codecs.Encoded enc = Codecs.encode(model, x);
            float[] first = null;
            long afterWarmUp = 0;
            for (int i = 0; i < WARM_UP + DECODES; i++) {
                try (NDManager step = data.newSubManager()) {
                    NDArray xHat = model.decompress(step, enc.strings(), enc.shape());
                    float[] now = xHat.toFloatArray();
                    if (first == null) {
                        first = now;
                    } else {
                        assertArrayEquals(first, now, "decode " + i + " differs from the first");
                    }
                }
                if (i == WARM_UP - 1) {
                    afterWarmUp = ResidentMemory.kib();
                }
            }
            long growth = ResidentMemory.kib() - afterWarmUp;
            System.out.println("mbt2018: RSS " + afterWarmUp / 1024 + " MiB after " + WARM_UP + " decodes, grew " + growth
                    + " KiB over " + DECODES + " more");
            assertTrue(growth < MAX_GROWTH_KIB, "RSS grew by " + growth / 1024 + " MiB over " + DECODES + " decodes");
        }
    }

}
