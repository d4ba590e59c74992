package dev.tinify.runtime.codecs.context;

import dev.tinify.runtime.checkpoint.SafeTensors.Tensor;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.util.Map;

/** Builds the plain-Java context parts of a fixture case straight from its state dict. */
final class ContextFixtures {
    private ContextFixtures() {}

    static float[] floats(Map<String, Tensor> sd, String key) {
        Tensor t = sd.get(key);
        if (t == null) {
            throw new IllegalArgumentException("state dict has no '" + key + "'");
        }
        return t.toFloats();
    }

    /** A 1x1-conv chain {@code prefix.0, prefix.2, ...} with the given activation between layers. */
    static PointwiseNet pointwiseNet(Map<String, Tensor> sd, String prefix, boolean leaky) {
        Tensor w0 = sd.get(prefix + ".0.weight");
        PointwiseNet.Builder b = PointwiseNet.builder((int) w0.shape()[1]);
        for (int i = 0; sd.containsKey(prefix + "." + i + ".weight"); i += 2) {
            if (i > 0) {
                if (leaky) {
                    b.leakyRelu(0.01f);
                } else {
                    b.relu();
                }
            }
            Tensor w = sd.get(prefix + "." + i + ".weight");
            b.linear((int) w.shape()[0], w.toFloats(), floats(sd, prefix + "." + i + ".bias"));
        }
        return b.build();
    }

    static CausalKernel causalKernel(Map<String, Tensor> sd, String prefix) {
        Tensor w = sd.get(prefix + ".weight");
        long[] s = w.shape();
        return CausalKernel.of((int) s[0], (int) s[1], (int) s[2], w.toFloats(), floats(sd, prefix + ".mask"),
                floats(sd, prefix + ".bias"));
    }

    static ScaleIndexer scaleIndexer(Map<String, Tensor> sd, String gaussianConditional) {
        return new ScaleIndexer(floats(sd, gaussianConditional + ".scale_table"),
                floats(sd, gaussianConditional + ".lower_bound_scale.bound")[0]);
    }

    /** The raster-scan engine of a classic autoregressive model (parts at the model root). */
    static RasterScanEngine classicEngine(ReferenceCase c) throws IOException {
        Map<String, Tensor> sd = c.stateDict();
        CausalKernel k = causalKernel(sd, "context_prediction");
        PointwiseNet ep = pointwiseNet(sd, "entropy_parameters", true);
        return new RasterScanEngine(k, ep, scaleIndexer(sd, "gaussian_conditional"), ep.inChannels() - k.outChannels());
    }
}
