package dev.tinify.runtime.entropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.tinify.runtime.nn.ForwardScope;
import dev.tinify.runtime.nn.Param;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Training behaviour of the EntropyBottleneck: the aux loss, noise quantization, gradients. */
class EntropyBottleneckTrainingTest {
    @Test
    void auxLossDecreasesUnderAdamSteps() {
        try (NDManager m = NDManager.newBaseManager()) {
            EntropyBottleneck eb = new EntropyBottleneck(m, 4);
            Param q = eb.stateDict().get("quantiles");
            Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.5f)).build();
            float[] losses = new float[8];
            for (int step = 0; step < losses.length; step++) {
                try (ForwardScope scope = ForwardScope.open(m, eb);
                        GradientCollector g = Engine.getInstance().newGradientCollector()) {
                    NDArray loss = EntropyModels.auxLoss(eb);
                    assertNotNull(loss);
                    losses[step] = loss.getFloat();
                    g.backward(loss);
                }
                NDArray grad = q.value().getGradient();
                adam.update("quantiles", q.value(), grad);
                grad.close();
                q.set(q.value().duplicate()); // a fresh leaf: no accumulated gradient
            }
            for (int i = 1; i < losses.length; i++) {
                assertTrue(losses[i] < losses[i - 1], "aux loss step " + i + ": " + losses[i - 1] + " -> " + losses[i]);
            }
            // each Adam step moves every quantile by about the learning rate towards its target
            assertTrue(losses[losses.length - 1] < losses[0] - 2, losses[0] + " -> " + losses[losses.length - 1]);
        }
    }

    @Test
    void auxLossGradientReachesOnlyTheQuantiles() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            EntropyBottleneck eb = new EntropyBottleneck(m, 3);
            try (ForwardScope scope = ForwardScope.open(m, eb);
                    GradientCollector g = Engine.getInstance().newGradientCollector()) {
                g.backward(eb.loss());
            }
            for (var e : eb.parameters().entrySet()) {
                NDArray grad = e.getValue().value().getGradient();
                float norm = grad.abs().sum().getFloat();
                if (e.getKey().equals("quantiles")) {
                    assertTrue(norm > 0, "quantiles get a gradient");
                } else {
                    assertEquals(0f, norm, e.getKey() + " gets no aux gradient");
                }
                grad.close();
            }
        }
    }

    @Test
    void noiseModeAddsBoundedNoiseAndTrainsTheDensity() throws IOException {
        ReferenceCase c = ReferenceCase.fixture("unit-entropy-bottleneck");
        try (NDManager m = NDManager.newBaseManager()) {
            EntropyBottleneck eb = Fixtures.entropyBottleneck(m, c.stateDict(), "");
            eb.train(true);
            NDArray x = m.randomNormal(0, 5, new Shape(2, 8, 16, 16), DataType.FLOAT32);
            EntropyModel.Output out;
            try (GradientCollector g = Engine.getInstance().newGradientCollector()) {
                out = eb.forward(x);
                g.backward(out.likelihoods().log().neg().sum());
            }
            float[] noise = Fixtures.range(out.values().sub(x).toFloatArray());
            float min = noise[0];
            float max = noise[1];
            assertTrue(min >= -0.5f && max <= 0.5f && max - min > 0.95f, "noise range " + min + ".." + max);
            float[] lik = out.likelihoods().toFloatArray();
            for (float l : lik) {
                assertTrue(l >= 1e-9f && l <= 1f, "likelihood " + l);
            }
            for (String k : new String[] {"matrices.0", "biases.4", "factors.2"}) {
                NDArray grad = eb.stateDict().get(k).value().getGradient();
                assertTrue(grad.abs().sum().getFloat() > 0, k + " gets a rate gradient");
                grad.close();
            }
        }
    }

    @Test
    void densityOfEachChannelSumsToOneOverTheIntegers() throws IOException {
        ReferenceCase c = ReferenceCase.fixture("unit-entropy-bottleneck");
        try (NDManager m = NDManager.newBaseManager()) {
            EntropyBottleneck eb = Fixtures.entropyBottleneck(m, c.stateDict(), "");
            eb.train(false);
            // values on the integer grid around each median: the bins tile the line
            int n = 1201;
            float[] medians = c.tensor("medians").toFloats();
            float[] x = new float[8 * n];
            for (int ch = 0; ch < 8; ch++) {
                for (int k = 0; k < n; k++) {
                    x[ch * n + k] = medians[ch] + (k - n / 2);
                }
            }
            EntropyModel.Output out = eb.forward(m.create(x, new Shape(1, 8, 1, n)));
            float[] sums = out.likelihoods().sum(new int[] {0, 2, 3}).toFloatArray();
            for (int ch = 0; ch < 8; ch++) {
                assertEquals(1.0, sums[ch], 1e-4, "channel " + ch);
            }
        }
    }
}
