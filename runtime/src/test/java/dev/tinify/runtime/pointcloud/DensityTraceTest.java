package dev.tinify.runtime.pointcloud;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.dsl.SpecReader;
import dev.tinify.runtime.compile.SpecCompiler;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.reference.ReferenceCase;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The tensors hrtzxf2022's modules record for the training loss equal those CompressAI's model
 * returns from its forward pass (the fixture's {@code gt_xyz_}, {@code gt_downsample_num_},
 * {@code gt_mean_distance_}, {@code gt_latent_xyz}, {@code latent_xyz_hat}, {@code xyz_hat_},
 * {@code upsample_num_hat_}, {@code mean_distance_hat_}), and nothing is recorded without a trace.
 */
class DensityTraceTest {
    @Test
    void recordsWhatCompressAIsForwardReturns() throws Exception {
        ReferenceCase c = ReferenceCase.fixture("hrtzxf2022-pcc-rec");
        Map<String, Object> kwargs = Map.of("hidden_dim", 16L, "k", 8L, "ngroups", 2L);
        try (CompressionModel model = SpecCompiler.compile(SpecReader.read(Path.of("..", "specs", "hrtzxf2022-pcc-rec.yaml")), kwargs);
                NDManager m = model.manager().newSubManager()) {
            model.load(c.stateDict());
            model.train(false);
            NDArray x = m.create(c.tensor("x").toFloats(), new Shape(1, 512, 3));
            assertNull(DensityTrace.current());
            DensityTrace trace;
            try (DensityTrace t = DensityTrace.open(m)) {
                trace = t;
                model.forward(x);
            }
            assertNull(DensityTrace.current(), "closing the trace stops the recording");
            List<DensityTrace.EncoderLevel> enc = trace.encoder();
            List<DensityTrace.DecoderLevel> dec = trace.decoder();
            assertEquals(3, enc.size());
            assertEquals(3, dec.size());
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(c.tensor("forward.gt_xyz_." + i).toFloats(), enc.get(i).xyz().toFloatArray(), 0f, "gt_xyz_." + i);
                assertArrayEquals(c.tensor("forward.gt_downsample_num_." + i).toFloats(), enc.get(i).counts().toFloatArray(), 0f,
                        "gt_downsample_num_." + i);
                assertArrayEquals(c.tensor("forward.gt_mean_distance_." + i).toFloats(), enc.get(i).meanDistances().toFloatArray(), 1e-6f,
                        "gt_mean_distance_." + i);
                assertArrayEquals(c.tensor("forward.xyz_hat_." + i).toFloats(), dec.get(i).xyz().toFloatArray(), 1e-5f, "xyz_hat_." + i);
                assertArrayEquals(c.tensor("forward.upsample_num_hat_." + i).toFloats(), dec.get(i).counts().toFloatArray(), 1e-5f,
                        "upsample_num_hat_." + i);
                assertArrayEquals(c.tensor("forward.mean_distance_hat_." + i).toFloats(), dec.get(i).meanDistances().toFloatArray(), 1e-5f,
                        "mean_distance_hat_." + i);
            }
            assertArrayEquals(c.tensor("forward.gt_latent_xyz").toFloats(), enc.get(2).centroids().toFloatArray(), 0f);
            NDArray latentHat = trace.decoderInput();
            assertNotNull(latentHat);
            assertArrayEquals(c.tensor("forward.latent_xyz_hat").toFloats(), latentHat.toFloatArray(), 1e-5f);

            try (DensityTrace idle = DensityTrace.open(m)) {
                idle.close();
                model.forward(x);
                assertTrue(idle.encoder().isEmpty() && idle.decoder().isEmpty() && idle.decoderInput() == null,
                        "a closed trace records nothing");
            }
        }
    }
}
