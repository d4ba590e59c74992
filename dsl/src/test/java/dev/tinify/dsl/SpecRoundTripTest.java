package dev.tinify.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
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
}
