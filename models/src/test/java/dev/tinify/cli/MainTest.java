package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit statuses and output of the command line. */
class MainTest {
    @Test
    void checkOfAnUnsupportedCaseExitsOne(@TempDir Path dir) throws Exception {
        Path unsupported = Files.createDirectories(dir.resolve("no-such-model"));
        Files.writeString(unsupported.resolve("case.json"), "{\"case\": \"no-such-model\", \"kind\": \"image-model\", "
                + "\"registry_name\": \"no-such-model\", \"constructor_kwargs\": {}}");
        String out = capture(() -> assertEquals(1, Main.run("check", unsupported.toString())));
        assertTrue(out.contains("no-such-model"), out);
        assertTrue(out.strip().endsWith("0 passed, 1 failed"), out);
    }

    @Test
    void unknownSpecIsAClearErrorNotAStackTrace() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(1, Main.run("inspect", "-m", "no-such-architecture"));
        } finally {
            System.setErr(old);
        }
        String msg = err.toString(StandardCharsets.UTF_8);
        assertTrue(msg.contains("no spec 'no-such-architecture'"), msg);
        assertTrue(msg.contains("bmshj2018-hyperprior"), "lists the bundled specs: " + msg);
    }

    @Test
    void inspectJsonHasTheLatentShape() {
        String out = capture(() -> assertEquals(0, Main.run("inspect", "-m", "bmshj2018-hyperprior", "--set", "N=16", "--set", "M=24",
                "--input", "1x3x64x128", "--json")));
        // g_a downsamples by 16 to M channels: 64x128 -> 4x8 (the bmshj2018-hyperprior fixture's y is 1x24x4x8).
        assertTrue(out.replaceAll("\\s", "").contains("\"y\":[1,24,4,8]"), out);
    }

    @Test
    void badOverrideIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(1, Main.run("inspect", "-m", "bmshj2018-hyperprior", "--set", "N=sixteen"));
        } finally {
            System.setErr(old);
        }
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("N=sixteen"));
    }

    private static String capture(Runnable r) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
