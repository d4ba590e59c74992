package dev.tinify;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.nn.Param;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Training end to end, as CompressAI trains: the net optimizer (Adam) minimizes
 * {@code rate + lambda * 255^2 * MSE} over every parameter except the entropy bottleneck's
 * {@code quantiles}, and the aux optimizer (Adam) minimizes {@code aux_loss} over the quantiles only.
 */
class TrainingTest {
    private static final int STEPS = 30;
    /** CompressAI's zoo lambda for MSE quality 4 (seed 003, "loss functions and lambda values"). */
    private static final double LAMBDA = 0.0130;

    @Test
    void lossAndAuxLossFallOverThirtySteps() throws Exception {
        Engine.getInstance().setRandomSeed(0);
        try (CompressionModel model = Tinify.build("bmshj2018-hyperprior", Map.of("N", 16, "M", 24));
                NDManager data = NDManager.newBaseManager()) {
            NDArray x = TestImages.trainCrop(data, "00000.png", 64);
            Map<String, Param> net = new LinkedHashMap<>();
            Map<String, Param> aux = new LinkedHashMap<>();
            model.parameters().forEach((k, p) -> (k.endsWith(".quantiles") ? aux : net).put(k, p));
            assertFalse(aux.isEmpty(), "the model has entropy-bottleneck quantiles");

            Optimizer netOpt = Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build();
            Optimizer auxOpt = Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build();
            model.train(true);
            List<Double> losses = new ArrayList<>();
            List<Double> auxLosses = new ArrayList<>();
            for (int step = 0; step < STEPS; step++) {
                model.parameters().values().forEach(p -> JniUtils.zeroGrad((PtNDArray) p.value()));
                try (NDManager sub = model.manager().newSubManager()) {
                    sub.tempAttachAll(model.arrays());
                    sub.tempAttachAll(new ai.djl.ndarray.NDList(x));
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        CompressionModel.ForwardResult out = model.forward(x);
                        double pixels = x.getShape().get(0) * x.getShape().get(2) * x.getShape().get(3);
                        NDArray rate = null;
                        for (NDArray l : out.likelihoods().values()) {
                            NDArray bits = l.log().sum().div(-Math.log(2) * pixels);
                            rate = rate == null ? bits : rate.add(bits);
                        }
                        NDArray mse = out.xHat().sub(x).square().mean();
                        NDArray loss = rate.add(mse.mul(LAMBDA * 255 * 255));
                        gc.backward(loss);
                        NDArray auxLoss = model.auxLoss();
                        gc.backward(auxLoss);
                        losses.add((double) loss.getFloat());
                        auxLosses.add((double) auxLoss.getFloat());
                    }
                }
                // Adam keeps its state in each weight's manager: update after the step's arrays are freed.
                step(netOpt, net);
                step(auxOpt, aux);
            }
            double first = mean(losses.subList(0, 5));
            double last = mean(losses.subList(STEPS - 5, STEPS));
            assertTrue(last < 0.9 * first, "loss fell by less than 10%: " + losses);
            assertTrue(auxLosses.get(STEPS - 1) < auxLosses.get(0), "aux loss did not decrease: " + auxLosses);
            for (double l : losses) {
                assertTrue(Double.isFinite(l), "non-finite loss: " + losses);
            }
        }
    }

    private static void step(Optimizer opt, Map<String, Param> params) {
        params.forEach((name, p) -> {
            try (NDArray g = p.value().getGradient()) {
                opt.update(name, p.value(), g);
            }
        });
    }

    private static double mean(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }
}
