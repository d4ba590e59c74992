package dev.tinify.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tinify.Tinify;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.pointcloud.OffFiles;
import dev.tinify.runtime.pointcloud.PlyFiles;
import dev.tinify.runtime.pointcloud.PointCloud;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The point-cloud fixture cases Tinify runs from a spec, through the same check as
 * {@code tinify check}: state-dict keys, forward within 1e-4, every sampled and neighbour index,
 * the coded symbols and strings byte for byte, and decompress of CompressAI's strings.
 */
class PointCloudCasesTest {
    /** Each case passes; {@code expected} is a line only that case's check shows (the coder, the neighbourhood calls). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "sfu2023-pcc-rec-pointnet|coder latent_codec.entropy_bottleneck",
        "sfu2024-pcc-rec-pointnet2-ssg|compress.neighbourhoods              fps 2, ball_query 2: every index equal",
        "hrtzxf2022-pcc-rec|forward.neighbourhoods               fps 6, knn 12: every index equal"})
    void fixtureCasePasses(String name, String expected) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        boolean ok = new CheckRunner(new PrintStream(buf, true, StandardCharsets.UTF_8))
                .run(List.of(ReferenceCase.sharedDir().resolve("fixtures").resolve(name)));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(ok, out);
        assertTrue(out.contains(expected), out);
        assertTrue(out.contains("decompress.x_hat"), out);
        assertTrue(out.strip().endsWith("1 passed, 0 failed"), out);
    }

    /** A cube as an OFF mesh: 8 corners, 6 quads. */
    private static final String CUBE = "OFF\n8 6 0\n-0.5 -0.5 -0.5\n0.5 -0.5 -0.5\n0.5 0.5 -0.5\n-0.5 0.5 -0.5\n"
            + "-0.5 -0.5 0.5\n0.5 -0.5 0.5\n0.5 0.5 0.5\n-0.5 0.5 0.5\n"
            + "4 0 1 2 3\n4 4 5 6 7\n4 0 1 5 4\n4 2 3 7 6\n4 1 2 6 5\n4 0 3 7 4\n";

    @Test
    void aSampledMeshRoundTripsThroughTheSpecAndPly() throws Exception {
        ReferenceCase c = ReferenceCase.fixture("sfu2023-pcc-rec-pointnet");
        PointCloud cloud = OffFiles.sample(OffFiles.decode(CUBE.getBytes(StandardCharsets.US_ASCII)), 256, 5);
        try (CompressionModel model = Tinify.build("sfu2023-pcc-rec-pointnet", ModelChecks.parameters(c));
                NDManager m = NDManager.newBaseManager()) {
            model.load(c.stateDict());
            model.train(false);
            NDArray x = m.create(cloud.xyz(), new Shape(1, 256, 3));
            CompressionModel.Compressed out = model.compress(x);
            float[] decoded = model.decompress(m, out.strings(), out.shape()).toFloatArray();
            // Evaluation-mode forward rounds exactly as compress does: the decoder sees the same latent.
            assertArrayEquals(model.forward(x).xHat().toFloatArray(), decoded, 1e-6f);
            PointCloud back = PlyFiles.decode(PlyFiles.encode(PointCloud.of(decoded), PlyFiles.Encoding.ASCII));
            assertArrayEquals(decoded, back.xyz());
            assertEquals(256, back.size());
        }
    }
}
