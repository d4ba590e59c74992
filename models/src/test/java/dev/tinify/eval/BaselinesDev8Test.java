package dev.tinify.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Reproduces the shared {@code baselines-dev8.json} with the classic-codec bench: the same Debian
 * tools and settings must give the recorded file sizes exactly, PSNR within 1e-3 dB and MS-SSIM
 * within 1e-4 per image, and the recorded means. By default the lowest, a middle and the highest
 * setting of JPEG and WebP are run; {@code -Dtinify.baselines.full=true} runs every setting of
 * every codec whose tools are installed. Skipped, with the reason, if a tool is missing.
 */
class BaselinesDev8Test {
    private static final boolean FULL = Boolean.getBoolean("tinify.baselines.full");

    @Test
    void jpegMatchesTheRecordedBaseline() throws Exception {
        check(ClassicCodec.JPEG);
    }

    @Test
    void webpMatchesTheRecordedBaseline() throws Exception {
        check(ClassicCodec.WEBP);
    }

    @Test
    void otherCodecsMatchWhenRunInFull() throws Exception {
        assumeTrue(FULL, "AVIF, JPEG XL and JPEG 2000 run only with -Dtinify.baselines.full=true");
        for (ClassicCodec c : List.of(ClassicCodec.AVIF, ClassicCodec.JXL, ClassicCodec.JPEG2000, ClassicCodec.JPEG2000_Q)) {
            if (c.missingTools().isEmpty()) {
                check(c);
            } else {
                System.out.println("BaselinesDev8Test: skipping " + c.id() + ", missing " + c.missingTools());
            }
        }
    }

    private static void check(ClassicCodec codec) throws Exception {
        assumeTrue(codec.missingTools().isEmpty(), codec.id() + " skipped: " + codec.missingTools()
                + " not installed (apt-get install " + codec.debianPackage() + ")");
        Path shared = Path.of(System.getProperty("tinify.shared", "../shared"), "data");
        Map<String, ResultFile> baselines = ResultFile.readBaselines(shared.resolve("baselines-dev8.json"));
        List<ResultFile.Point> recorded = baselines.get(codec.id()).points();
        List<Double> defaults = codec.defaultSettings();
        assertEquals(defaults.size(), recorded.size(), "the codec's default settings are the baselines' settings");
        List<Integer> which = new ArrayList<>();
        for (int i = 0; i < defaults.size(); i++) {
            if (FULL || i == 0 || i == defaults.size() / 2 || i == defaults.size() - 1) {
                which.add(i);
            }
        }
        List<Double> settings = which.stream().map(defaults::get).toList();
        ResultFile got = ClassicCodecs.run(codec, ClassicCodecs.imagesIn(shared.resolve("dev8")), settings);
        for (int k = 0; k < which.size(); k++) {
            ResultFile.Point want = recorded.get(which.get(k));
            ResultFile.Point have = got.points().get(k);
            assertEquals(want.setting(), have.setting());
            assertEquals(want.perImage().size(), have.perImage().size());
            for (int i = 0; i < want.perImage().size(); i++) {
                ResultFile.ImageResult w = want.perImage().get(i);
                ResultFile.ImageResult h = have.perImage().get(i);
                String where = codec.id() + " " + want.setting() + " " + w.image();
                assertEquals(w.image(), h.image(), where);
                assertEquals(w.bytes(), h.bytes(), where + " bytes");
                assertEquals(w.bpp(), h.bpp(), 1e-12, where + " bpp");
                assertEquals(w.psnr(), h.psnr(), 1e-3, where + " PSNR");
                assertEquals(w.msSsim(), h.msSsim(), 1e-4, where + " MS-SSIM");
            }
            assertEquals(want.bpp(), have.bpp(), 1e-12, want.setting() + " mean bpp");
            assertEquals(want.psnr(), have.psnr(), 1e-3, want.setting() + " mean PSNR");
            assertEquals(want.msSsim(), have.msSsim(), 1e-4, want.setting() + " mean MS-SSIM");
        }
    }
}
