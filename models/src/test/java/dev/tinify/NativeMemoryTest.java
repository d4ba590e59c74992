package dev.tinify;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.runtime.model.CompressionModel;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Repeated forward passes must not grow native memory: every intermediate array is freed. */
class NativeMemoryTest {
    private static final int WARM_UP = 20;
    private static final int PASSES = 200;
    private static final long MAX_GROWTH_KIB = 50 * 1024;

    @Test
    void twoHundredForwardPassesKeepRssFlat() throws IOException {
        try (CompressionModel model = Tinify.build("bmshj2018-hyperprior", Map.of("N", 16, "M", 24));
                NDManager data = NDManager.newBaseManager()) {
            model.train(false);
            NDArray x = TestImages.trainCrop(data, "00001.png", 128);
            long afterWarmUp = 0;
            for (int i = 0; i < PASSES; i++) {
                try (NDManager step = data.newSubManager()) {
                    step.tempAttachAll(new ai.djl.ndarray.NDList(x));
                    CompressionModel.ForwardResult out = model.forward(x);
                    out.xHat().getFloat(0, 0, 0, 0); // force the computation
                }
                if (i == WARM_UP - 1) {
                    afterWarmUp = ResidentMemory.kib();
                }
            }
            long growth = ResidentMemory.kib() - afterWarmUp;
            assertTrue(growth < MAX_GROWTH_KIB, "RSS grew by " + growth / 1024 + " MiB over " + (PASSES - WARM_UP) + " passes");
        }
    }
}
