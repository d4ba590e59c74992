package dev.tinify.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.tinify.runtime.compile.SpecCompiler;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.nn.Param;
import dev.tinify.runtime.pointcloud.DensityTrace;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** He et al.'s point-cloud loss: each term on hand-made traces, and the gradients it gives the decoder's count networks. */
@ExtendWith(OnePyTorchThread.class)
class DensityRateLossTest {
    private static NDArray cloud(NDManager m, float... xyz) {
        // Point-major [1, n, 3] data as channels [1, 3, n], as the modules record clouds.
        int n = xyz.length / 3;
        return m.create(xyz, new Shape(1, n, 3)).transpose(0, 2, 1);
    }

    private static float[] channels(float... xyz) {
        int n = xyz.length / 3;
        float[] out = new float[xyz.length];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < 3; a++) {
                out[a * n + i] = xyz[3 * i + a];
            }
        }
        return out;
    }

    /**
     * Two levels, one cloud. The encoder: 4 points (0,0,0) (1,0,0) (4,0,0) (5,0,0) to centroids
     * (0,0,0) (4,0,0) (group sizes 2 and 3, mean distances 0.5 and 0.25), then to the latent point
     * (2,0,0) (size 2, mean distance 2). The decoder starts from (2,0,0.3), makes (4,0,0.2) (0,0,0)
     * (count 1.5, mean distance 1.8), then (0,0,0) (1,0,0) (5,0,0) (counts 3 and 2.5, mean distances
     * 0.25 and 1.0). Worked by hand:
     * <ul>
     *   <li>Chamfer, input against the output: 1/4 (from (4,0,0): 1) + 0 = 0.25; centroids against
     *       the first level: (0 + 0.04) / 2 + (0.04 + 0) / 2 = 0.04; weighted 0.25 + 0.1 · 0.04 = 0.254
     *   <li>latent points: (0 + 0 + 0.09) / 3 = 0.03
     *   <li>the first level's points are nearest to centroids 1 and 0, whose sizes (3, 2) and mean
     *       distances (0.25, 0.5) the second level's are compared with: counts (0 + 0.5) / 2, mean
     *       distances (0 + 0.5) / 2; the first level against the latent: |1.5 − 2|, |1.8 − 2|.
     *       counts 0.25 + 0.5 = 0.75, mean distances 0.25 + 0.2 = 0.45
     *   <li>points made: |5.5 − 4| + |1.5 − 2| = 2
     *   <li>bpp: one likelihood 1/2, 1 bit over 4 points = 0.25
     * </ul>
     * loss = 0.25 + 100 · 0.254 + 100 · 0.03 + 50 · 0.45 + 0.75 + 0.005 · 2 = 51.91.
     */
    @Test
    void everyTermOnHandMadeClouds() {
        try (NDManager m = NDManager.newBaseManager()) {
            DensityTrace trace = DensityTrace.open(m);
            trace.close();
            trace.encoderLevel(channels(0, 0, 0, 1, 0, 0, 4, 0, 0, 5, 0, 0), channels(0, 0, 0, 4, 0, 0), new float[] {2, 3},
                    new float[] {0.5f, 0.25f}, 1, 4, 2);
            trace.encoderLevel(channels(0, 0, 0, 4, 0, 0), channels(2, 0, 0), new float[] {2}, new float[] {2}, 1, 2, 1);
            trace.decoderInput(cloud(m, 2, 0, 0.3f));
            trace.decoderLevel(cloud(m, 4, 0, 0.2f, 0, 0, 0), m.create(new float[] {1.5f}, new Shape(1, 1)),
                    m.create(new float[] {1.8f}, new Shape(1, 1)));
            trace.decoderLevel(cloud(m, 0, 0, 0, 1, 0, 0, 5, 0, 0), m.create(new float[] {3, 2.5f}, new Shape(1, 2)),
                    m.create(new float[] {0.25f, 1f}, new Shape(1, 2)));
            NDArray x = m.create(new float[] {0, 0, 0, 1, 0, 0, 4, 0, 0, 5, 0, 0}, new Shape(1, 4, 3));
            RateDistortionLoss.Terms t = new DensityRateLoss(100).compute(x, Map.of("y", m.create(new float[] {0.5f})), trace);
            assertEquals(0.25, t.bpp().getFloat(), 1e-6);
            assertEquals(0.25, t.mse().getFloat(), 1e-6, "the reconstruction's Chamfer distance");
            assertEquals(0.254, t.parts().get("chamfer_levels").getFloat(), 1e-6);
            assertEquals(0.03, t.parts().get("latent_xyz").getFloat(), 1e-6);
            assertEquals(0.45, t.parts().get("mean_distance").getFloat(), 1e-6);
            assertEquals(0.75, t.parts().get("upsample_num").getFloat(), 1e-6);
            assertEquals(2.0, t.parts().get("pts_num").getFloat(), 1e-6);
            assertEquals(51.91, t.loss().getFloat(), 1e-4);
        }
    }

    /**
     * The decoder's count networks learn from this loss alone: under rate + Chamfer their
     * gradients are zero (the count is rounded before it selects points), under He et al.'s loss
     * they are not; the loss is chosen for the model by its density decoder.
     */
    @Test
    void countNetworksGetGradientsFromThisLossOnly() {
        Engine.getInstance().setRandomSeed(7);
        try (CompressionModel model = SpecCompiler.compile(TrainFixtures.spec("hrtzxf2022-pcc-rec"), Map.of())) {
            assertTrue(DensityRateLoss.fits(model));
            model.train(true);
            float[] data = new float[2 * 512 * 3];
            Random r = new Random(3);
            for (int i = 0; i < data.length; i++) {
                data[i] = 2 * r.nextFloat() - 1;
            }
            assertEquals(0.0, countGradient(model, new ChamferRateLoss(100), data), "rate + Chamfer");
            double density = countGradient(model, new DensityRateLoss(100), data);
            assertTrue(density > 0 && Double.isFinite(density), "He et al.'s loss: " + density);
        }
        try (CompressionModel other = SpecCompiler.compile(TrainFixtures.spec("sfu2023-pcc-rec-pointnet"), Map.of())) {
            assertFalse(DensityRateLoss.fits(other));
        }
    }

    /** The sum of absolute gradients of every count-network parameter after one forward and backward. */
    private static double countGradient(CompressionModel model, TrainingLoss loss, float[] data) {
        for (Param p : model.parameters().values()) {
            JniUtils.zeroGrad((PtNDArray) p.value());
        }
        try (NDManager sub = model.manager().newSubManager()) {
            sub.tempAttachAll(model.arrays());
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray x = sub.create(data, new Shape(2, data.length / 6, 3));
                gc.backward(loss.evaluate(x, model::forward).loss());
            }
        }
        double sum = 0;
        int params = 0;
        for (Map.Entry<String, Param> e : model.parameters().entrySet()) {
            if (e.getKey().contains("upsample_num_layers") && e.getValue().value().hasGradient()) {
                params++;
                try (NDArray g = e.getValue().value().getGradient()) {
                    for (float v : g.toFloatArray()) {
                        sum += Math.abs(v);
                    }
                }
            }
        }
        assertEquals(12, params, "4 weights and biases per level, 3 levels");
        return sum;
    }
}
