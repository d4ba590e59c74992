package dev.tinify.runtime.codecs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tinify.runtime.codecs.GaussianConditionalLatentCodec.Chunks;
import dev.tinify.runtime.entropy.EntropyBottleneck;
import dev.tinify.runtime.entropy.GaussianConditional;
import dev.tinify.runtime.nn.ForwardScope;
import org.junit.jupiter.api.Test;

/** Repeated forward / compress / decompress leave no arrays behind in the model's manager. */
class CodecMemoryTest {
    @Test
    void repeatedCodingDoesNotGrowTheModelManager() {
        try (NDManager model = NDManager.newBaseManager()) {
            EntropyBottleneck eb = new EntropyBottleneck(model, 6);
            GaussianConditional gc = new GaussianConditional(model);
            HyperLatentCodec hyper = new HyperLatentCodec(eb, null, null, Quantizer.NOISE, true, Parts.CHILDREN);
            GaussianConditionalLatentCodec y = new GaussianConditionalLatentCodec(gc, null, Quantizer.NOISE, Chunks.SCALES,
                    Parts.CHILDREN);
            HyperpriorLatentCodec codec = new HyperpriorLatentCodec(y, hyper, Parts.CHILDREN);
            codec.train(false);
            eb.update(false);
            gc.update(false);
            int before = -1;
            for (int i = 0; i < 6; i++) {
                try (NDManager work = model.newSubManager();
                        ForwardScope scope = ForwardScope.open(work, codec)) {
                    NDArray x = scope.manager().randomNormal(0, 3, new Shape(1, 6, 4, 4), DataType.FLOAT32);
                    codec.forward(x, null);
                    LatentCodec.CompressOut out = codec.compress(x, null);
                    codec.decompress(scope.manager(), out.strings(), out.shape(), null);
                }
                int now = model.getManagedArrays().size();
                if (i == 0) {
                    before = now;
                }
                assertEquals(before, now, "arrays in the model manager after iteration " + i);
            }
            assertEquals(codec.stateDict().size(), before, "only the parameters and buffers remain");
        }
    }
}
