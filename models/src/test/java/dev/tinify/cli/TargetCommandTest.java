package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tinify.Codec;
import dev.tinify.TargetSearch;
import dev.tinify.Tinify;
import dev.tinify.dsl.Spec;
import dev.tinify.zoo.Weights;
import dev.tinify.dsl.Metric;
import dev.tinify.runtime.container.TfyContainer;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.metrics.Bpp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** encode and eval with --target-bpp / --target-psnr: real encoded sizes, at most eight passes. */
class TargetCommandTest {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    @TempDir
    static Path dir;
    static Path png;
    static Path wide;

    @BeforeAll
    static void files() throws Exception {
        png = CliRun.dev8Png(dir, "fog.png", 128, 192);
        wide = VariableRateCommandTest.wideGains(dir);
    }

    private static String[] vbr(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-m", "bmshj2018-hyperprior-vbr", "--set", "N=16", "--set", "M=24", "--weights", wide.toString(), "--json"));
        return all.toArray(String[]::new);
    }

    private static JsonNode run(String... args) throws Exception {
        CliRun r = CliRun.of(args);
        assertEquals(0, r.status(), r.toString());
        return JSON.readTree(r.out());
    }

    private static double bppAt(String q) throws Exception {
        return run(vbr("encode", png.toString(), "-q", q, "-o", dir.resolve("q" + q + ".tfy").toString())).get("bpp").asDouble();
    }

    @Test
    void variableRateTargetsLandWithinTheirToleranceInAtMostEightPasses() throws Exception {
        double low = bppAt("2");
        double high = bppAt("7");
        assertTrue(high > 1.5 * low, low + " " + high);
        double previousQuality = 0;
        double previousBpp = 0;
        for (double f : new double[] {0.2, 0.5, 0.8}) {
            double target = Math.exp((1 - f) * Math.log(low) + f * Math.log(high));
            Path out = dir.resolve("target-" + f + ".tfy");
            JsonNode r = run(vbr("encode", png.toString(), "--target-bpp", String.valueOf(target), "-o", out.toString()));
            double bpp = r.get("bpp").asDouble();
            int passes = r.get("target_passes").asInt();
            assertTrue(Math.abs(bpp / target - 1) <= 0.03, "target " + target + ": " + bpp + " after " + passes + " passes");
            assertTrue(passes >= 1 && passes <= TargetSearch.MAX_PASSES, r.toString());
            assertEquals(passes, r.get("target_search").size());
            // The file is the chosen pass, at the quality reported; it decodes without options.
            TfyContainer c = TfyContainer.read(out);
            assertEquals(r.get("quality").asDouble(), c.qualityValue());
            assertEquals(bpp, Bpp.of(c.stringBytes(), 128, 192), 1e-12);
            CliRun dec = CliRun.of("decode", out.toString(), "-o", dir.resolve("target-" + f + ".png").toString(), "--set", "N=16",
                    "--set", "M=24", "--weights", wide.toString());
            assertEquals(0, dec.status(), dec.toString());
            // Higher targets: higher qualities and rates.
            assertTrue(c.qualityValue() > previousQuality && bpp > previousBpp, f + ": " + r);
            previousQuality = c.qualityValue();
            previousBpp = bpp;
        }
    }

    @Test
    void psnrTargetDecodesEveryPass() throws Exception {
        JsonNode low = run(vbr("encode", png.toString(), "-q", "2", "-o", dir.resolve("p2.tfy").toString(), "--metrics"));
        JsonNode high = run(vbr("encode", png.toString(), "-q", "7", "-o", dir.resolve("p7.tfy").toString(), "--metrics"));
        double target = (low.get("psnr-rgb").asDouble() + high.get("psnr-rgb").asDouble()) / 2;
        JsonNode r = run(vbr("encode", png.toString(), "--target-psnr", String.valueOf(target), "-o", dir.resolve("p.tfy").toString()));
        assertTrue(r.get("target_passes").asInt() <= TargetSearch.MAX_PASSES, r.toString());
        for (JsonNode pass : r.get("target_search")) {
            assertTrue(pass.has("psnr-rgb"), r.toString());
        }
        assertTrue(Math.abs(r.get("psnr-rgb").asDouble() - target) <= 0.1, target + ": " + r);
    }

    @Test
    void fixedRateTargetsChooseTheNearestShippedQuality() throws Exception {
        RgbImage source = ImageFiles.read(png);
        // Every shipped quality, coded directly: the nearest in log-bpp is the answer.
        Spec spec = Tinify.spec("bmshj2018-hyperprior");
        List<Integer> qualities = Weights.shippedQualities(spec, Metric.MSE, Map.of());
        Assumptions.assumeTrue(qualities.size() >= 3, "this build bundles fewer than three bmshj2018-hyperprior qualities");
        int last = qualities.size() - 1;
        double[] bpp = new double[qualities.size()];
        for (int i = 0; i < bpp.length; i++) {
            try (Codec codec = Codec.open("bmshj2018-hyperprior", qualities.get(i), Metric.MSE, Map.of(), null)) {
                bpp[i] = Bpp.of(codec.compress(source).stringBytes(), source.height(), source.width());
            }
        }
        for (double target : new double[] {0.5 * bpp[0], Math.sqrt(bpp[0] * bpp[1]) * 1.05, Math.sqrt(bpp[last - 1] * bpp[last]) * 0.97,
                2 * bpp[last]}) {
            int nearest = 0;
            for (int i = 1; i < bpp.length; i++) {
                if (Math.abs(Math.log(bpp[i] / target)) < Math.abs(Math.log(bpp[nearest] / target))) {
                    nearest = i;
                }
            }
            JsonNode r = run("encode", png.toString(), "-m", "bmshj2018-hyperprior", "--target-bpp", String.valueOf(target), "-o",
                    dir.resolve("fixed.tfy").toString(), "--json");
            assertEquals(qualities.get(nearest).intValue(), r.get("quality").asInt(), target + ": " + r);
            assertEquals(bpp[nearest], r.get("bpp").asDouble(), 1e-12);
            assertTrue(r.get("target_passes").asInt() <= 3, r.toString());
        }
    }

    @Test
    void evalTakesAListOfTargetsAndRealQualities() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Files.copy(png, data.resolve("fog.png"));
        Path result = dir.resolve("targets.json");
        // Two targets inside the range of qualities 3 to 6.
        double q3 = bppAt("3");
        double q6 = bppAt("6");
        double low = Math.exp(0.7 * Math.log(q3) + 0.3 * Math.log(q6));
        double high = Math.exp(0.3 * Math.log(q3) + 0.7 * Math.log(q6));
        CliRun r = CliRun.of("eval", "-m", "bmshj2018-hyperprior-vbr", "--set", "N=16", "--set", "M=24", "--weights", wide.toString(),
                "-q", "2.5", "--target-bpp", low + "," + high, "--data", data.toString(), "-o", result.toString(), "--quiet");
        assertEquals(0, r.status(), r.toString());
        JsonNode json = JSON.readTree(result.toFile());
        JsonNode settings = json.get("settings");
        assertEquals(3, settings.size(), json.toString());
        assertEquals("q=2.5", settings.get(0).asText());
        assertEquals("bpp=" + low, settings.get(1).asText());
        JsonNode rates = json.get("results").get("bpp");
        assertTrue(Math.abs(rates.get(1).asDouble() / low - 1) <= 0.03, json.toString());
        assertTrue(Math.abs(rates.get(2).asDouble() / high - 1) <= 0.03, json.toString());
        assertTrue(r.out().contains("1 of 1 within tolerance"), r.out());
    }

    @Test
    void evalTakesTargetsWithoutQualities() throws Exception {
        Path data = dir.resolve("targets-only");
        Files.createDirectories(data);
        Files.copy(png, data.resolve("fog.png"));
        Path result = dir.resolve("target.json");
        double target = Math.sqrt(bppAt("3") * bppAt("6"));
        CliRun r = CliRun.of("eval", "-m", "bmshj2018-hyperprior-vbr", "--set", "N=16", "--set", "M=24", "--weights", wide.toString(),
                "--target-bpp", String.valueOf(target), "--data", data.toString(), "-o", result.toString(), "--quiet");
        assertEquals(0, r.status(), r.toString());
        JsonNode json = JSON.readTree(result.toFile());
        assertEquals(1, json.get("settings").size(), json.toString());
        assertTrue(Math.abs(json.get("results").get("bpp").get(0).asDouble() / target - 1) <= 0.03, json.toString());
    }

    @Test
    void conflictingOptionsAreOneLineErrors() {
        String out = dir.resolve("x.tfy").toString();
        CliRun both = CliRun.of(vbr("encode", png.toString(), "-q", "3", "--target-bpp", "0.2", "-o", out));
        assertEquals(1, both.status(), both.toString());
        assertTrue(both.err().contains("-q and --target-bpp exclude each other"), both.err());
        CliRun two = CliRun.of(vbr("encode", png.toString(), "--target-bpp", "0.2", "--target-psnr", "30", "-o", out));
        assertTrue(two.err().contains("--target-bpp and --target-psnr exclude each other"), two.err());
        CliRun fixedWeights = CliRun.of(CliRun.tiny("encode", png.toString(), "--target-bpp", "0.2", "-o", out, "--weights",
                wide.toString()));
        assertEquals(1, fixedWeights.status(), fixedWeights.toString());
        CliRun negative = CliRun.of(vbr("encode", png.toString(), "--target-bpp", "-1", "-o", out));
        assertTrue(negative.err().contains("a bpp target must be a positive number"), negative.err());
        assertTrue(Files.notExists(Path.of(out)));
    }
}
