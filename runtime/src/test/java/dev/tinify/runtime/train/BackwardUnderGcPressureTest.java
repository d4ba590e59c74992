package dev.tinify.runtime.train;

import dev.tinify.dsl.Metric;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.tinify.runtime.compile.SpecCompiler;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.model.TrainableModel;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.nn.Param;
import dev.tinify.runtime.video.VideoModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Backward must not depend on the garbage collector. Arrays made from Java data wrap a direct
 * buffer that only the Java handle keeps alive; if autograd saved such an array and its handle was
 * closed, a collection between forward and backward frees the memory backward still reads. Here the
 * collection is forced and the freed memory refilled with NaN before backward, and every parameter
 * gradient (rate-distortion loss plus auxiliary loss) must equal the one of an undisturbed pass,
 * for image models and for the video model's clip forward.
 *
 * <p>Direct buffers are freed by the JVM's reference-handler thread. glibc keeps up to 7 freed
 * chunks per size in a cache private to the freeing thread, where no allocation of the test thread
 * can reach them (they only lose their first 16 bytes). So before forward the test frees 8 buffers
 * of every cached size through that thread, filling its caches: what the collection frees next
 * goes back to the shared free lists, which the NaN buffers allocated afterwards draw from.
 */
@ExtendWith(OnePyTorchThread.class)
class BackwardUnderGcPressureTest {
    /** Each pass frees into a different heap state; more than one makes a miss less likely. */
    private static final int PRESSED_PASSES = 2;

    @ParameterizedTest
    @CsvSource({
        // GDN/IGDN, transposed convolutions, factorized hyperprior, Gaussian conditional, MS-SSIM
        "bmshj2018-hyperprior, 8, 12, ms-ssim, 192",
        // checkerboard context with masks, MSE
        "cheng2020-anchor-checkerboard, 8, 0, mse, 64",
        // channel groups with checkerboard space context
        "elic2022-chandelier, 8, 136, mse, 64"
    })
    void gradientsIgnoreCollections(String spec, int n, int m, String metric, int size) {
        Map<String, Object> params = m == 0 ? Map.of("N", n) : Map.of("N", n, "M", m);
        Engine.getInstance().setRandomSeed(11);
        try (CompressionModel model = SpecCompiler.compile(TrainFixtures.spec(spec), params)) {
            model.train(true);
            RateDistortionLoss loss = new RateDistortionLoss(Metric.parse(metric), 0.01);
            float[] data = random(2 * 3 * size * size);
            assertSameUnderPressure(spec, model, sub -> {
                NDArray x = sub.create(data, new Shape(2, 3, size, size));
                CompressionModel.ForwardResult out = model.forward(x);
                return loss.compute(x, out.xHat(), out.likelihoods()).loss().add(model.auxLoss());
            });
        }
    }

    /**
     * A video model's clip forward (keyframe, then inter frames through the scale-space volume,
     * the trilinear warp and the QReLU scale decoders), as its training codes a group of 3 frames.
     */
    @Test
    void videoGradientsIgnoreCollections() {
        Engine.getInstance().setRandomSeed(11);
        try (VideoModel model = SpecCompiler.compileVideo(TrainFixtures.spec("ssf2020"), Map.of("mid_planes", 8, "planes", 8))) {
            model.train(true);
            RateDistortionLoss loss = new RateDistortionLoss(Metric.MSE, 0.01);
            int size = 128;
            float[] data = random(3 * 3 * size * size);
            assertSameUnderPressure("ssf2020", model, sub -> {
                NDArray x = sub.create(data, new Shape(3, 3, size, size));
                List<NDArray> frames = List.of(x.get("0:1"), x.get("1:2"), x.get("2:3"));
                List<LatentCodec.ForwardOut> out = model.codec().forward(frames);
                List<NDArray> xHat = new ArrayList<>();
                Map<String, NDArray> likelihoods = new LinkedHashMap<>();
                for (int f = 0; f < out.size(); f++) {
                    xHat.add(out.get(f).yHat());
                    int frame = f;
                    out.get(f).likelihoods().forEach((k, v) -> likelihoods.put(frame + "." + k, v));
                }
                NDArray aux = model.auxLoss();
                aux.attach(sub);
                NDArray stacked = NDArrays.concat(new NDList(xHat), 0);
                return loss.compute(x, stacked, likelihoods).loss().add(aux);
            });
        }
    }

    /**
     * Point-cloud models, whose layers index features with indices made in Java (set abstraction,
     * density-aware down-sampling) and scale by constant gains, under their training loss (rate +
     * Chamfer; He et al.'s for the density-preserving model, which reads the layers' own results).
     */
    @ParameterizedTest
    @CsvSource({"sfu2024-pcc-rec-pointnet2-ssg", "hrtzxf2022-pcc-rec"})
    void pointCloudGradientsIgnoreCollections(String spec) {
        Engine.getInstance().setRandomSeed(11);
        try (CompressionModel model = SpecCompiler.compile(TrainFixtures.spec(spec), Map.of())) {
            model.train(true);
            TrainingLoss loss = DensityRateLoss.fits(model) ? new DensityRateLoss(100) : new ChamferRateLoss(100);
            int points = 1024;
            float[] data = random(2 * points * 3);
            assertSameUnderPressure(spec, model, sub -> {
                NDArray x = sub.create(data, new Shape(2, points, 3)).mul(2f).sub(1f);
                return loss.evaluate(x, model::forward).loss().add(model.auxLoss());
            });
        }
    }

    private static float[] random(int n) {
        float[] data = new float[n];
        Random r = new Random(5);
        for (int i = 0; i < data.length; i++) {
            data[i] = r.nextFloat();
        }
        return data;
    }

    /** The gradients of {@code total} (built in a sub-manager) are finite and the same with a collection before backward. */
    private static <M extends Module & TrainableModel> void assertSameUnderPressure(String spec, M model,
                                                                                    Function<NDManager, NDArray> total) {
        float[] calm = gradients(model, total, false);
        assertTrue(calm.length > 0);
        for (float g : calm) {
            assertTrue(Float.isFinite(g), "undisturbed gradients are finite");
        }
        for (int pass = 1; pass <= PRESSED_PASSES; pass++) {
            float[] pressed = gradients(model, total, true);
            assertArrayEquals(calm, pressed, spec + ": gradients changed by a collection between forward and backward (pass "
                    + pass + ")");
        }
    }

    /** All parameter gradients, concatenated in name order, after one forward and backward. */
    private static <M extends Module & TrainableModel> float[] gradients(M model, Function<NDManager, NDArray> total,
                                                                          boolean pressure) {
        for (Param p : model.parameters().values()) {
            JniUtils.zeroGrad((PtNDArray) p.value());
        }
        JniUtils.setSeed(3);
        List<ByteBuffer> filler = new ArrayList<>();
        try (NDManager sub = model.manager().newSubManager()) {
            sub.tempAttachAll(model.arrays());
            if (pressure) {
                fillCollectorCaches();
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = total.apply(sub);
                if (pressure) {
                    collectAndRefill(filler);
                }
                gc.backward(loss);
            }
        }
        List<float[]> parts = new ArrayList<>();
        int length = 0;
        for (Param p : model.parameters().values()) {
            NDArray w = p.value();
            if (w.hasGradient()) {
                try (NDArray g = w.getGradient()) {
                    float[] f = g.toFloatArray();
                    parts.add(f);
                    length += f.length;
                }
            }
        }
        float[] all = new float[length];
        int at = 0;
        for (float[] f : parts) {
            System.arraycopy(f, 0, all, at, f.length);
            at += f.length;
        }
        filler.clear();
        return all;
    }

    /**
     * Frees 8 direct buffers of every size glibc's per-thread cache holds (requests up to 1032
     * bytes, one per 16-byte class) through the reference-handler thread, so that its cache, 7
     * chunks deep, is full and the chunks the next collection frees reach the shared lists.
     */
    private static void fillCollectorCaches() {
        for (int copies = 0; copies < 8; copies++) {
            for (int size = 8; size <= 1032; size += 16) {
                ByteBuffer.allocateDirect(size);
            }
        }
        collect();
    }

    /**
     * Frees unreachable direct buffers, then takes back as much freed native memory as it can with
     * NaN-filled buffers: freed chunks are handed out again before fresh memory is cut, so many
     * buffers of every small size, then of growing sizes, land on the memory a saved tensor would
     * still point to.
     */
    private static void collectAndRefill(List<ByteBuffer> filler) {
        collect();
        ByteBuffer nan = ByteBuffer.allocate(1 << 16).order(ByteOrder.nativeOrder());
        while (nan.remaining() >= 4) {
            nan.putFloat(Float.NaN);
        }
        for (int copies = 0; copies < 16; copies++) {
            for (int size = 4; size <= 2048; size += 4) {
                filler.add(filledWithNan(nan, size));
            }
        }
        for (int size = 4096; size <= 1 << 16; size *= 2) {
            for (int copies = 0; copies < 64; copies++) {
                filler.add(filledWithNan(nan, size));
            }
        }
    }

    /** Several collections with pauses, so that the reference handler frees what they found. */
    private static void collect() {
        for (int round = 0; round < 4; round++) {
            System.gc();
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static ByteBuffer filledWithNan(ByteBuffer nan, int size) {
        ByteBuffer b = ByteBuffer.allocateDirect(size);
        b.put(nan.duplicate().clear().limit(size));
        return b;
    }
}
