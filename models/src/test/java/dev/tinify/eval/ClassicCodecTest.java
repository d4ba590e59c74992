package dev.tinify.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassicCodecTest {
    @Test
    void labelsAreTheBaselinesSettingNames() {
        assertEquals("q=5", ClassicCodec.JPEG.label(5));
        assertEquals("d=3.5", ClassicCodec.JXL.label(3.5));
        assertEquals("bpp=0.06", ClassicCodec.JPEG2000.label(0.06));
        assertEquals("qp=63", ClassicCodec.AVIF.label(63));
        assertEquals("psnr=26", ClassicCodec.JPEG2000_Q.label(26));
    }

    @Test
    void jpeg2000RateIsAsCompressionRatio() {
        // 24 bits of raw RGB per pixel over 0.06 bpp is a 400:1 ratio.
        List<String> cmd = ClassicCodec.JPEG2000.encodeCommand(Path.of("in.ppm"), Path.of("out.j2k"), 0.06);
        assertEquals("400.0", cmd.get(cmd.indexOf("-r") + 1));
    }

    @Test
    void codecsAreFoundByTheirIds() {
        for (ClassicCodec c : ClassicCodec.values()) {
            assertEquals(c, ClassicCodec.byId(c.id()));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClassicCodec.byId("bpg"));
        assertTrue(e.getMessage().contains("jpeg2000_q"), e.getMessage());
    }

    @Test
    void toolsAreLookedUpOnThePath(@TempDir Path dir) throws Exception {
        assertEquals(List.of("cwebp", "dwebp"), ClassicCodec.WEBP.missingTools(""));
        Path cwebp = Files.createFile(dir.resolve("cwebp"));
        assertEquals(List.of("cwebp", "dwebp"), ClassicCodec.WEBP.missingTools(dir.toString()), "not executable yet");
        Files.setPosixFilePermissions(cwebp, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(List.of("dwebp"), ClassicCodec.WEBP.missingTools("/nonexistent" + File.pathSeparator + dir));
    }
}
