package dev.tinify.runtime.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/** Channel and resolution arithmetic of layers and sequences, and the errors a bad chain gives. */
class ShapedLayerTest {

    @Test
    void transformsReportTheirArithmetic() {
        try (NDManager m = NDManager.newBaseManager()) {
            Sequential ga = ReferenceArchitectures.hyperpriorGa(m, 16, 24);
            assertEquals(3, ga.inChannels());
            assertEquals(24, ga.outChannels(3));
            assertEquals(16, ga.downsampling());
            assertEquals(1, ga.upsampling());
            Sequential gs = ReferenceArchitectures.chengGs(m, 16);
            assertEquals(3, gs.outChannels(16));
            assertEquals(16, gs.upsampling());
            SubpelConv3x3 subpel = new SubpelConv3x3(m, 16, 3, 2);
            assertEquals(3, subpel.outChannels(16));
            assertEquals(2, subpel.upsampling());
        }
    }

    @Test
    void sequencesSkipActivationsForTheirInputCount() {
        try (NDManager m = NDManager.newBaseManager()) {
            Sequential s = new Sequential(Activation.relu(), Conv2d.conv1x1(m, 5, 7), Activation.leakyRelu());
            assertEquals(5, s.inChannels());
            assertEquals(7, s.outChannels(5));
            assertEquals(ShapedLayer.ANY, new Sequential(Activation.relu()).inChannels());
            assertEquals(9, new Sequential(Activation.relu()).outChannels(9));
        }
    }

    @Test
    void badChainNamesTheLayer() {
        try (NDManager m = NDManager.newBaseManager()) {
            Sequential s = new Sequential(Conv2d.conv3x3(m, 3, 8), Activation.relu(), new Gdn(m, 6, false));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.outChannels(3));
            assertTrue(e.getMessage().contains("layer 2"), e.getMessage());
            assertTrue(e.getMessage().contains("Gdn(6) expects 6 input channels, got 8"), e.getMessage());
        }
    }

    @Test
    void stridesAndUpsamplingFactors() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(2, new ResidualBlockWithStride(m, 3, 8).downsampling());
            assertEquals(2, new ResidualBlockUpsample(m, 8, 8).upsampling());
            assertEquals(3, new ConvTranspose2d(m, 4, 4, 5, 3).upsampling());
            assertEquals(1, new AttentionBlock(m, 8).downsampling());
        }
    }
}
