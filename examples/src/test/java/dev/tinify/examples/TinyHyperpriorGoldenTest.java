package dev.tinify.examples;

import dev.tinify.check.CheckAgainst;
import dev.tinify.check.GoldenCases;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * A project pinning what its own spec does. The case under {@code src/test/resources/cases} was
 * recorded once with
 *
 * <pre>
 * ./tinify check --record examples/tiny-hyperprior.yaml --set N=16 --set M=24 --seed 1 \
 *     -o examples/src/test/resources/cases/tiny-hyperprior
 * </pre>
 *
 * and every build checks it against the spec file as it is now: a change to the spec, to Tinify or
 * to the native library that moves a number or a byte of the bitstream fails this test. A project
 * with trained weights adds them ({@code new CheckAgainst(spec, weightsFile)}), and a changed
 * weight then fails naming the tensor.
 */
class TinyHyperpriorGoldenTest {
    @TestFactory
    Stream<DynamicTest> goldenCases() {
        return GoldenCases.of(Path.of("src/test/resources/cases"), new CheckAgainst("tiny-hyperprior.yaml", null));
    }
}
