package dev.tinify.vbr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.Tinify;
import dev.tinify.check.CaseReport;
import dev.tinify.check.CheckRunner;
import dev.tinify.check.ModelChecks;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.codecs.vbr.Rate;
import dev.tinify.runtime.coding.CdfTables;
import dev.tinify.runtime.entropy.EntropyBottleneck;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.nn.Layer;
import dev.tinify.runtime.reference.ReferenceCase;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The three variable-rate architectures against CompressAI's fixture cases (state-dict keys,
 * forward within 1e-4, every coder call and string byte for byte, decompress of CompressAI's
 * strings), and the variable-step tables of the hyper-latent against the tables CompressAI
 * stored after {@code update(scale=inputscale)}.
 */
class VariableRateParityTest {
    private static Path fixture(String name) {
        return ReferenceCase.sharedDir().resolve("fixtures").resolve(name);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"bmshj2018-hyperprior-vbr", "mbt2018-mean-vbr", "mbt2018-vbr"})
    void caseMatchesCompressAI(String name) {
        CaseReport report = CheckRunner.check(fixture(name));
        String failures = report.lines().stream().filter(l -> l.status() != CaseReport.Status.PASS)
                .map(l -> l.what() + ": " + l.detail()).collect(Collectors.joining("\n"));
        assertTrue(report.passed() && failures.isEmpty(), failures);
        assertTrue(report.lines().size() >= 10, "every check ran: " + report.lines());
    }

    /**
     * CompressAI built the stored bottleneck tables for the case's input scale; the tables Tinify
     * computes for the same step (from the step network) are the same integers.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"bmshj2018-hyperprior-vbr", "mbt2018-mean-vbr"})
    void stepTablesEqualCompressAIs(String name) throws IOException {
        ReferenceCase ref = ReferenceCase.open(fixture(name));
        float inputScale = (float) ref.meta().path("vbr").path("inputscale").asDouble();
        try (CompressionModel model = Tinify.build(name, ModelChecks.parameters(ref));
                NDManager m = model.manager().newSubManager()) {
            model.load(ref.stateDict());
            m.tempAttachAll(model.arrays());
            Layer net = (Layer) model.children().get("gayn2zqstep");
            Layer bound = (Layer) model.children().get("lower_bound_zqstep");
            float step = bound.forward(net.forward(m.create(new float[] {1f / inputScale}))).toFloatArray()[0];
            assertNotEquals(1f, step, "the fixture's step is not the unit step");
            CdfTables ours = ((EntropyBottleneck) model.children().get("entropy_bottleneck")).tables(step);
            SafeTensors.Tensor cdf = ref.stateDict().get("entropy_bottleneck._quantized_cdf");
            int cols = (int) cdf.shape()[1];
            int[] flat = cdf.toInts();
            assertArrayEquals(ref.stateDict().get("entropy_bottleneck._offset").toInts(), ours.offsets(), "offsets");
            assertArrayEquals(ref.stateDict().get("entropy_bottleneck._cdf_length").toInts(), ours.cdfLengths(), "cdf lengths");
            for (int c = 0; c < ours.size(); c++) {
                int len = ours.cdfLengths()[c];
                assertArrayEquals(Arrays.copyOfRange(flat, c * cols, c * cols + len), Arrays.copyOf(ours.cdfs()[c], len), "cdf row " + c);
            }
        }
    }

    /** Coarser rates give fewer bytes, and each rate decodes exactly what it encoded (the recorded rate is all a decoder needs). */
    @Test
    void ratesOrderAndRoundTrip() throws IOException {
        ReferenceCase ref = ReferenceCase.open(fixture("mbt2018-mean-vbr"));
        try (CompressionModel model = Tinify.build("mbt2018-mean-vbr", ModelChecks.parameters(ref));
                NDManager m = model.manager().newSubManager()) {
            model.load(ref.stateDict());
            model.train(false);
            NDArray x = ModelChecks.toArray(m, ref.tensor("x"));
            int previous = -1;
            for (Rate rate : List.of(Rate.position(2.5), Rate.scale(0.5), Rate.level(7), Rate.scale(2.0))) {
                CompressionModel.Compressed c = model.compress(x, rate);
                int bytes = c.strings().stream().mapToInt(s -> s.get(0).length).sum();
                assertTrue(bytes > previous, rate + ": " + bytes + " bytes after " + previous);
                previous = bytes;
                float[] once = model.decompress(m, c.strings(), c.shape(), rate).toFloatArray();
                float[] twice = model.decompress(m, c.strings(), c.shape(), rate).toFloatArray();
                assertArrayEquals(once, twice, rate.toString());
            }
        }
    }

    @Test
    void positionsInterpolateTheTrainedGainsGeometrically() {
        float[] gains = {0.1f, 0.4f, 1.0f};
        assertEquals(0.1f, Rate.position(0).gain(gains));
        assertEquals(0.2f, Rate.position(0.5).gain(gains), 1e-6f);
        assertEquals(1.0f, Rate.position(2).gain(gains));
        assertEquals(0.4f, Rate.level(1).gain(gains));
        assertEquals(IllegalArgumentException.class, org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> Rate.position(2.01).gain(gains)).getClass());
        assertEquals(IllegalArgumentException.class, org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> Rate.level(3).gain(gains)).getClass());
        assertEquals(IllegalArgumentException.class, org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> Rate.scale(0)).getClass());
    }
}
