package dev.tinify.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every spec in specs/ survives YAML -> Spec -> YAML -> Spec unchanged. */
class SpecRoundTripTest {

    static Stream<Path> specs() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("..", "specs"))) {
            List<Path> files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            assertFalse(files.isEmpty(), "no specs found in ../specs");
            return files.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void roundTripsThroughYaml(Path file) {
        Spec first = SpecReader.read(file);
        String yaml = SpecWriter.write(first);
        Spec second = SpecReader.read(file.getFileName().toString(), yaml);
        assertEquals(first, second, () -> "written YAML:\n" + yaml);
        assertEquals(yaml, SpecWriter.write(second), "writing is deterministic");
        assertEquals(file.getFileName().toString().replace(".yaml", ""), first.name());
    }

    @Test
    void flowSequencesOfCallsReadLikeBlockSequences() {
        Spec block = SpecReader.read(Path.of("..", "specs", "bmshj2018-factorized.yaml"));
        String flow = SpecWriter.write(block)
                .replaceAll("(?s)  g_a:\n.*?(?=  g_s:)", "  g_a: [conv(3, N, 5, 2), gdn(N), conv(N, N, 5, 2), gdn(N),\n        conv(N, N, 5, 2), gdn(N), conv(N, M, 5, 2)]\n");
        assertTrue(flow.contains("g_a: [conv(3, N, 5, 2)"), flow);
        assertEquals(block, SpecReader.read("flow.yaml", flow));
    }
}
