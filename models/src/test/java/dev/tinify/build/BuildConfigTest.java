package dev.tinify.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The build itself: every lifecycle plugin is pinned (so offline goals resolve) and the log has no colour codes. */
class BuildConfigTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everyDefaultLifecyclePluginIsPinned() throws IOException {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        // Unpinned, Maven 3.8 falls back to its built-in versions, which the offline cache does not hold:
        // `mvn -o install -DskipTests` failed on maven-install-plugin.
        for (String plugin : List.of("maven-clean-plugin", "maven-resources-plugin", "maven-compiler-plugin",
                "maven-surefire-plugin", "maven-jar-plugin", "maven-install-plugin", "maven-deploy-plugin", "maven-site-plugin")) {
            assertTrue(Pattern.compile("<artifactId>" + plugin + "</artifactId>\\s*<version>[0-9.]+</version>").matcher(pom).find(),
                    plugin + " has no pinned version in the parent pom");
        }
    }

    @Test
    void buildLogHasNoEscapeCodes() throws Exception {
        Process p = new ProcessBuilder("mvn", "-o", "-B", "-N", "validate").directory(ROOT.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.contains("BUILD SUCCESS"), log);
        assertFalse(log.contains("\u001b"), "the build log contains ANSI escape codes: " + log.lines().findFirst().orElse(""));
    }
}
