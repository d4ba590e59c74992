package dev.tinify.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The convolutions PyTorch keeps off oneDNN (a single small item with a 3x3 kernel, a 1x1 kernel
 * over a few items on one thread) print nothing on stderr through {@link ConvOps}, forward and
 * backward. A child JVM on one PyTorch thread runs them, then, after a marker line, the same
 * convolution straight through DJL as a control: on CPUs where NNPACK cannot initialize, the
 * control prints PyTorch's "Could not initialize NNPACK" warning, which {@link ConvOps} must not.
 */
class QuietConvolutionTest {
    private static final String MARKER = "--- control: DJL's conv2d ---";

    @Test
    void convolutionsOffOneDnnPrintNothing() throws IOException, InterruptedException {
        Path err = Files.createTempFile("tinify-conv-stderr", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-cp", System.getProperty("java.class.path"),
                    Child.class.getName());
            pb.redirectError(err.toFile());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child did not finish");
            String stderr = Files.readString(err);
            assertEquals(0, p.exitValue(), "child failed: " + stderr);
            assertEquals("(1, 32, 8, 12) (8, 16, 8, 8) (1, 32, 8, 12)", out, "the child's output shapes");
            int mark = stderr.indexOf(MARKER);
            assertTrue(mark >= 0, "no marker on the child's stderr: " + stderr);
            assumeTrue(stderr.substring(mark).contains("NNPACK"), "NNPACK initializes on this CPU: nothing to hide");
            assertFalse(stderr.substring(0, mark).contains("NNPACK"), "ConvOps let PyTorch print: " + stderr.substring(0, mark));
        } finally {
            Files.delete(err);
        }
    }

    /** The child: ConvOps convolutions with gradients, the marker, the control; prints the output shapes. */
    public static final class Child {
        public static void main(String[] args) {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray small = m.randomUniform(-1, 1, new Shape(1, 16, 8, 12));
                NDArray w3 = m.randomUniform(-1, 1, new Shape(32, 16, 3, 3));
                NDArray batch = m.randomUniform(-1, 1, new Shape(8, 32, 8, 8));
                NDArray w1 = m.randomUniform(-1, 1, new Shape(16, 32, 1, 1));
                NDArray b1 = m.randomUniform(-1, 1, new Shape(16));
                small.setRequiresGradient(true);
                batch.setRequiresGradient(true);
                StringBuilder shapes = new StringBuilder();
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray y3 = ConvOps.conv2d(small, w3, null, 1, 1);
                    NDArray y1 = ConvOps.conv2d(batch, w1, b1, 1, 0);
                    gc.backward(y3.sum().add(y1.sum()));
                    shapes.append(y3.getShape()).append(' ').append(y1.getShape());
                }
                System.err.println(MARKER);
                NDArray control = Conv2d.conv2d(small, w3, null, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1)
                        .singletonOrThrow();
                System.out.println(shapes.append(' ').append(control.getShape()));
            }
        }
    }
}
