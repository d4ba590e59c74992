package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tinify.Codec;
import dev.tinify.dsl.Metric;
import dev.tinify.runtime.codecs.vbr.Rate;
import dev.tinify.runtime.container.TfyContainer;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.Tinify;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.StateDicts;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** encode -q with a real-valued quality on a variable-rate model: recorded in the file, decoded without options. */
class VariableRateCommandTest {
    private static final String[] VBR = {"-m", "bmshj2018-hyperprior-vbr", "--set", "N=16", "--set", "M=24", "--allow-untrained"};
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /**
     * The tiny model's initial parameters with gains 4 to 512 instead of 0.1 to 1: its initial
     * latents are small, and these gains code enough of them for rates to differ.
     */
    static Path wideGains(Path dir) throws Exception {
        Path file = dir.resolve("wide-gains.safetensors");
        CompressionModel built;
        // The same initial parameters in every run: a fixed seed, and no other draw between it and the build.
        synchronized (Engine.class) {
            Engine.getInstance().setRandomSeed(0);
            built = Tinify.build("bmshj2018-hyperprior-vbr", Map.of("N", 16, "M", 24));
        }
        try (CompressionModel model = built) {
            model.update(true);
            Map<String, SafeTensors.Tensor> state = new LinkedHashMap<>(StateDicts.save(model, StateDicts.Precision.FULL));
            float[] gains = new float[8];
            for (int i = 0; i < gains.length; i++) {
                gains[i] = 4f * (1 << i);
            }
            state.put("Gain", SafeTensors.Tensor.ofFloats(gains, 8));
            try (OutputStream os = Files.newOutputStream(file)) {
                SafeTensors.write(state, os);
            }
        }
        return file;
    }

    private static String[] vbr(String... args) {
        String[] all = new String[args.length + VBR.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(VBR, 0, all, args.length, VBR.length);
        return all;
    }

    private TfyContainer encode(Path png, String q, Path weights) throws Exception {
        Path tfy = dir.resolve("q" + q + ".tfy");
        CliRun run = CliRun.of(vbr("encode", png.toString(), "-q", q, "-o", tfy.toString(), "--json", "--weights", weights.toString()));
        assertEquals(0, run.status(), run.toString());
        return TfyContainer.read(tfy);
    }

    @Test
    void fractionalQualityIsRecordedAndDecodedWithoutOptions() throws Exception {
        Path png = CliRun.dev8Png(dir, "pier.png", 64, 128);
        Path tfy = dir.resolve("half.tfy");
        CliRun enc = CliRun.of(vbr("encode", png.toString(), "-q", "3.5", "-o", tfy.toString(), "--json"));
        assertEquals(0, enc.status(), enc.toString());
        JsonNode r = JSON.readTree(enc.out());
        assertEquals(3.5, r.get("quality").asDouble());
        assertTrue(r.get("quality").isFloatingPointNumber(), r.toString());

        TfyContainer c = TfyContainer.read(tfy);
        assertEquals(3, c.quality());
        assertEquals(3.5, c.fractionalQuality());
        assertEquals(4, c.formatVersion());

        // decode takes the model options but no quality: the file says 3.5.
        Path decoded = dir.resolve("half.png");
        CliRun dec = CliRun.of("decode", tfy.toString(), "-o", decoded.toString(), "--set", "N=16", "--set", "M=24",
                "--allow-untrained", "--json");
        assertEquals(0, dec.status(), dec.toString());
        assertEquals(3.5, JSON.readTree(dec.out()).get("quality").asDouble());

        // The file holds what the model's own compress gives at position 2.5 (between trained gains 3 and 4).
        RgbImage source = ImageFiles.read(png);
        try (Codec codec = Codec.open("bmshj2018-hyperprior-vbr", 3, Metric.MSE, Map.of("N", 16, "M", 24), null);
             NDManager m = NDManager.newBaseManager()) {
            CompressionModel model = codec.model();
            CompressionModel.Compressed direct = model.compress(source.toNDArray(m), Rate.position(2.5));
            for (int i = 0; i < direct.strings().size(); i++) {
                assertArrayEquals(direct.strings().get(i).get(0), c.strings().get(i).get(0), "stream " + i);
            }
            int[] expected = RgbImage.fromNDArray(model.decompress(m, direct.strings(), direct.shape(), Rate.position(2.5))).to8Bit();
            assertArrayEquals(expected, ImageFiles.read(decoded).to8Bit());
        }
    }

    @Test
    void realQualitiesOrderTheRatesAndIntegersCodeAsTheirLevel() throws Exception {
        Path png = CliRun.dev8Png(dir, "fog.png", 128, 128);
        Path weights = wideGains(dir);
        TfyContainer q3 = encode(png, "3", weights);
        TfyContainer q3dot0 = encode(png, "3.0", weights);
        assertArrayEquals(q3.toBytes(), q3dot0.toBytes());
        assertNull(q3.fractionalQuality());
        assertEquals(2, q3.formatVersion());
        // Finer quantization between the trained gains: the rate grows with the quality.
        long previous = 0;
        for (String q : new String[] {"3", "3.25", "3.5", "3.75", "4"}) {
            long bytes = encode(png, q, weights).stringBytes();
            assertTrue(bytes > previous, "quality " + q + ": " + bytes + " bytes, not above " + previous);
            previous = bytes;
        }
    }

    @Test
    void qualitiesOutsideTheModelsRangeAreRefusedOnOneLine() throws Exception {
        Path png = CliRun.dev8Png(dir, "pier.png", 64, 64);
        Path out = dir.resolve("x.tfy");
        CliRun fixed = CliRun.of(CliRun.tiny("encode", png.toString(), "-q", "3.5", "-o", out.toString()));
        assertEquals(1, fixed.status(), fixed.toString());
        assertTrue(fixed.err().contains("bmshj2018-hyperprior is a fixed-rate model: it codes at its zoo qualities (integers), not 3.5"),
                fixed.err());
        assertEquals(1, fixed.err().lines().filter(l -> l.startsWith("tinify encode:")).count(), fixed.err());
        CliRun above = CliRun.of(vbr("encode", png.toString(), "-q", "8.5", "-o", out.toString()));
        assertEquals(1, above.status(), above.toString());
        assertTrue(above.err().contains("no quality 8") || above.err().contains("outside its trained range 1..8"), above.err());
        CliRun nan = CliRun.of(vbr("encode", png.toString(), "-q", "NaN", "-o", out.toString()));
        assertTrue(nan.status() != 0 && nan.err().contains("-q NaN"), nan.toString());
        assertTrue(Files.notExists(out));
    }

    @Test
    void oneShippedFileServesEveryQuality() throws Exception {
        Path png = CliRun.dev8Png(dir, "fog.png", 128, 128);
        JsonNode[] r = new JsonNode[2];
        String[] qualities = {"2", "7.5"};
        for (int i = 0; i < 2; i++) {
            CliRun run = CliRun.of("encode", png.toString(), "-m", "bmshj2018-hyperprior-vbr", "-q", qualities[i], "-o",
                    dir.resolve("shipped" + i + ".tfy").toString(), "--json");
            assertEquals(0, run.status(), run.toString());
            r[i] = JSON.readTree(run.out());
        }
        assertTrue(r[0].get("weights").asText().endsWith("tinify/weights/bmshj2018-hyperprior-vbr/mse.safetensors"), r[0].toString());
        assertEquals(r[0].get("weights_fingerprint"), r[1].get("weights_fingerprint"));
        assertTrue(r[1].get("bpp").asDouble() > r[0].get("bpp").asDouble(), r[0] + " " + r[1]);
    }

    @Test
    void helpSaysHowTheRateKnobWorks() {
        CliRun help = CliRun.of("encode", "--help");
        String text = help.out().replaceAll("\\s+", " ");
        assertTrue(text.contains("-q 3.5 codes between trained gains 3 and 4"), help.out());
    }
}
