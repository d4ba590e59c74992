package dev.tinify.runtime.train;

import dev.tinify.dsl.Metric;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.nn.Layer;
import dev.tinify.runtime.nn.Param;
import dev.tinify.runtime.ops.GradientCut;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The staged backward of a training step (bounds first, then {@code g_a} once from the leaf at
 * {@code y}) gives every parameter the gradient of one plain backward when the scale bound's rule
 * passes everything, and the gradient of the unstaged cut (whose second pass runs through
 * {@code h_a} into {@code g_a}) when it masks.
 */
@ExtendWith(OnePyTorchThread.class)
class StagedBackwardTest {
    private static final String H_S_OUT_BIAS = "h_s.4.bias";

    private enum Backward { PLAIN, UNSTAGED_CUT, STAGED_CUT }

    /** Gradients of one step's loss by parameter name. */
    private static Map<String, float[]> gradients(CompressionModel model, Backward how, double lambda) {
        model.train(true);
        for (Param p : model.parameters().values()) {
            JniUtils.zeroGrad((PtNDArray) p.value());
        }
        RateDistortionLoss loss = new RateDistortionLoss(Metric.MSE, lambda);
        try (NDManager sub = model.manager().newSubManager()) {
            sub.tempAttachAll(model.arrays());
            JniUtils.setSeed(11);
            NDArray x = sub.randomUniform(0f, 1f, new Shape(2, 3, 64, 64));
            // the same quantization noise in both runs
            JniUtils.setSeed(12);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                switch (how) {
                    case PLAIN -> {
                        CompressionModel.ForwardResult out = model.forward(x);
                        gc.backward(loss.compute(x, out.xHat(), out.likelihoods()).loss());
                    }
                    case STAGED_CUT -> {
                        try (GradientCut cut = GradientCut.open(sub)) {
                            CompressionModel.ForwardResult out = model.forward(x);
                            cut.backward(loss.compute(x, out.xHat(), out.likelihoods()).loss());
                        }
                    }
                    case UNSTAGED_CUT -> {
                        // the model's forward by hand, without the stage at y
                        try (GradientCut cut = GradientCut.open(sub)) {
                            NDArray y = ((Layer) model.children().get("g_a")).forward(x);
                            LatentCodec.ForwardOut out = model.latentCodec().forward(y, null);
                            NDArray xHat = ((Layer) model.children().get("g_s")).forward(out.yHat());
                            cut.backward(loss.compute(x, xHat, out.likelihoods()).loss());
                        }
                    }
                }
            }
        }
        Map<String, float[]> grads = new LinkedHashMap<>();
        model.parameters().forEach((name, p) -> {
            try (NDArray g = p.value().getGradient()) {
                grads.put(name, g.toFloatArray());
            }
        });
        return grads;
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    private static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    @Test
    void whereTheRulePassesEverythingStagesEqualOnePlainBackward() {
        try (CompressionModel model = TrainFixtures.tinyHyperprior(5)) {
            // Every scale far above the bound (0.11): the rule never masks.
            NDArray bias = model.stateDict().get(H_S_OUT_BIAS).value();
            bias.set(new float[Math.toIntExact(bias.size())]);
            bias.addi(2f);
            Map<String, float[]> plain = gradients(model, Backward.PLAIN, 0.0130);
            Map<String, float[]> staged = gradients(model, Backward.STAGED_CUT, 0.0130);
            assertEquals(plain.keySet(), staged.keySet());
            int reached = 0;
            for (String name : plain.keySet()) {
                double scale = Math.max(1e-3, maxAbs(plain.get(name)));
                assertEquals(0, maxDiff(plain.get(name), staged.get(name)), 1e-4 * scale, name);
                reached += maxAbs(plain.get(name)) > 0 ? 1 : 0;
            }
            assertTrue(plain.get("g_a.0.weight") != null && maxAbs(plain.get("g_a.0.weight")) > 0, "g_a gets a gradient");
            assertTrue(reached > plain.size() / 2, reached + " of " + plain.size() + " parameters have a gradient");
        }
    }

    @Test
    void whereTheRuleMasksStagesEqualTheUnstagedCut() {
        try (CompressionModel model = TrainFixtures.tinyHyperprior(5)) {
            // A fresh h_a passes little gradient back to y; larger weights make its share in g_a's visible.
            for (String w : new String[] {"h_a.0.weight", "h_a.2.weight", "h_a.4.weight"}) {
                model.stateDict().get(w).value().muli(5f);
            }
            Map<String, float[]> plain = gradients(model, Backward.PLAIN, 1e-6);
            Map<String, float[]> unstaged = gradients(model, Backward.UNSTAGED_CUT, 1e-6);
            Map<String, float[]> staged = gradients(model, Backward.STAGED_CUT, 1e-6);
            for (String name : unstaged.keySet()) {
                // The rule's correction (exact minus identity) must come out the same, to 1% of its size.
                double correction = maxDiff(unstaged.get(name), plain.get(name));
                double tolerance = Math.max(1e-2 * correction, 1e-7 * maxAbs(unstaged.get(name)));
                assertEquals(0, maxDiff(unstaged.get(name), staged.get(name)), tolerance, name);
            }
            String ga = "g_a.0.weight";
            assertTrue(maxDiff(unstaged.get(ga), plain.get(ga)) > 1e-4 * maxAbs(plain.get(ga)), ga + " corrected through h_a");
            // the rule did mask: h_s's gradient is not the identity's
            String hs = "h_s.0.weight";
            assertTrue(maxDiff(plain.get(hs), staged.get(hs)) > 0.1 * maxAbs(plain.get(hs)), hs + " masked by the rule");
        }
    }
}
