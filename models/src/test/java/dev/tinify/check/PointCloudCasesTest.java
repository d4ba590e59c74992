package dev.tinify.check;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tinify.runtime.reference.ReferenceCase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The point-cloud fixture cases Tinify runs from a spec, through the same check as
 * {@code tinify check}: state-dict keys, forward within 1e-4, the coded symbols and strings byte
 * for byte, and decompress of CompressAI's strings.
 */
class PointCloudCasesTest {
    @Test
    void pointNetPasses() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        boolean ok = new CheckRunner(new PrintStream(buf, true, StandardCharsets.UTF_8))
                .run(List.of(ReferenceCase.sharedDir().resolve("fixtures").resolve("sfu2023-pcc-rec-pointnet")));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(ok, out);
        assertTrue(out.contains("coder latent_codec.entropy_bottleneck"), out);
        assertTrue(out.contains("decompress.x_hat"), out);
        assertTrue(out.strip().endsWith("1 passed, 0 failed"), out);
    }
}
