package dev.tinify.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tinify.Codec;
import dev.tinify.dsl.Metric;
import dev.tinify.Tinify;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.container.TfyContainer;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.metrics.Psnr;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.nn.Param;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tinify export}: a run's checkpoint as weights that code like the run's model, with the precision check and metadata. */
class ExportCommandTest {
    private static final Map<String, Integer> TINY = Map.of("N", 8, "M", 12);

    @TempDir
    static Path dir;
    static Path run;
    static Path model;
    static Path apple;
    static Path fog;

    @BeforeAll
    static void trainTwoSteps() throws Exception {
        run = dir.resolve("run");
        CliRun r = CliRun.trainTiny("bmshj2018-hyperprior", CliRun.trainData(dir), run, "--steps", "2");
        assertEquals(0, r.status(), r.toString());
        model = run.resolve("checkpoint-00000002.safetensors");
        // Sizes that are not multiples of the stride (64), so the check pads as the codec does.
        apple = CliRun.dev8Png(dir, "appleflower.png", 72, 100);
        fog = CliRun.dev8Png(dir, "fog.png", 64, 90);
    }

    /** The run's model with its tables computed, as export starts from. */
    private static CompressionModel runModel() {
        CompressionModel m = Tinify.build("bmshj2018-hyperprior", TINY);
        Tinify.load(m, model);
        m.update(true, true);
        m.train(false);
        return m;
    }

    @Test
    void fp32WeightsCodeAsTheRunsModel() throws Exception {
        Path out = dir.resolve("fp32").resolve("w.safetensors");
        CliRun r = CliRun.of("export", run.toString(), "-o", out.toString(), "--precision", "fp32");
        assertEquals(0, r.status(), r.toString());
        SafeTensors.read(out).forEach((k, t) -> assertTrue(t.dtype() == SafeTensors.DType.F32 || t.dtype() == SafeTensors.DType.I32,
                k + " is " + t.dtype()));

        RgbImage image = ImageFiles.read(apple);
        Padding pad = Padding.forStride(image.height(), image.width(), 64);
        List<List<byte[]>> expected;
        RgbImage expectedImage;
        try (CompressionModel m = runModel(); NDManager nd = NDManager.newBaseManager()) {
            CompressionModel.Compressed c = m.compress(image.pad(pad).toNDArray(nd));
            expected = c.strings();
            NDArray x = m.decompress(nd, c.strings(), c.shape());
            expectedImage = RgbImage.fromNDArray(x).crop(pad);
        }
        // No --set: the sizes come from the JSON beside the weights.
        try (Codec codec = Codec.open("bmshj2018-hyperprior", 3, Metric.MSE, Map.of(), out)) {
            assertEquals(8, codec.model().params().get("N").intValue());
            TfyContainer c = codec.compress(image);
            assertEquals(expected.size(), c.strings().size());
            for (int i = 0; i < expected.size(); i++) {
                assertArrayEquals(expected.get(i).get(0), c.strings().get(i).get(0), "string " + i);
            }
            assertArrayEquals(expectedImage.to8Bit(), codec.decompress(TfyContainer.parse(c.toBytes())).to8Bit());
        }
    }

    @Test
    void autoChoosesFp16WhenThePsnrBarelyMovesAndRecordsIt() throws Exception {
        Path out = dir.resolve("auto").resolve("mse-q3.safetensors");
        CliRun r = CliRun.of("export", run.toString(), "-o", out.toString(), "--check", apple.toString(), fog.toString());
        assertEquals(0, r.status(), r.toString());
        JsonNode meta = new ObjectMapper().readTree(dir.resolve("auto").resolve("mse-q3.json").toFile());

        // Independently: the run's model, and the same with its parameters rounded to fp16 by the file.
        double worst = 0;
        try (CompressionModel full = runModel(); CompressionModel half = Tinify.build("bmshj2018-hyperprior", TINY)) {
            Tinify.load(half, out);
            half.train(false);
            JsonNode check = meta.get("weights").get("check");
            int i = 0;
            for (Path p : List.of(apple, fog)) {
                RgbImage image = ImageFiles.read(p);
                double a = psnr(full, image);
                double b = psnr(half, image);
                assertEquals(p.getFileName().toString(), check.get(i).get("image").asText());
                assertEquals(a, check.get(i).get("psnr_fp32").asDouble(), 1e-9);
                assertEquals(b, check.get(i).get("psnr_fp16").asDouble(), 1e-9);
                worst = Math.max(worst, Math.abs(a - b));
                i++;
            }
            for (Map.Entry<String, Param> e : half.stateDict().entrySet()) {
                if (e.getValue().trainable() && !e.getKey().endsWith("quantiles")) {
                    assertEquals(SafeTensors.DType.F16, SafeTensors.read(out).get(e.getKey()).dtype(), e.getKey());
                }
            }
        }
        assertTrue(worst < 0.01, "fp16 moves the PSNR by " + worst + " dB");
        assertEquals("fp16", meta.get("weights").get("precision").asText(), meta.toString());
        assertEquals(worst, meta.get("weights").get("max_psnr_change_db").asDouble(), 1e-9);
        assertEquals(Files.size(out), meta.get("bytes").asLong());

        assertEquals("bmshj2018-hyperprior", meta.get("spec").asText());
        assertEquals(3, meta.get("quality").asInt());
        assertEquals(8, meta.get("params").get("N").asInt());
        assertTrue(meta.get("params").get("N").isInt(), "params build as integers: " + meta.get("params"));
        assertEquals(0.0067, meta.get("lambda").asDouble());
        assertEquals(2, meta.get("step").asLong());
        assertEquals(64, meta.get("patch").asInt());
        assertEquals(1e-4, meta.get("learning_rate").get("net").asDouble());
        assertTrue(meta.get("data").asText().endsWith("data"), meta.toString());
        assertEquals("run/checkpoint-00000002.safetensors", meta.get("checkpoint").asText(), "run-relative, not a machine path");
        List<JsonNode> steps = TrainCommandTest.steps(run);
        double meanLoss = steps.stream().mapToDouble(s -> s.get("loss").asDouble()).average().orElseThrow();
        assertEquals(2, meta.get("final_train_last50").get("steps").asInt());
        assertEquals(meanLoss, meta.get("final_train_last50").get("loss").asDouble(), 1e-12);
        // two steps leave the quantiles far from the density; the export solves them
        double trained = meta.get("quantiles").get("aux_loss_trained").asDouble();
        double exported = meta.get("quantiles").get("aux_loss_exported").asDouble();
        assertTrue(exported < trained / 10, meta.get("quantiles").toString());
    }

    private static double psnr(CompressionModel m, RgbImage image) {
        Padding pad = Padding.forStride(image.height(), image.width(), m.downsamplingFactor());
        try (NDManager nd = NDManager.newBaseManager()) {
            return Psnr.of(image, RgbImage.fromNDArray(m.forward(image.pad(pad).toNDArray(nd)).xHat()).crop(pad));
        }
    }

    @Test
    void aFolderWithoutLatestJsonIsNotARun() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        CliRun r = CliRun.of("export", empty.toString(), "-o", dir.resolve("x.safetensors").toString());
        assertEquals(1, r.status(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(empty + ": no latest.json"), r.err());
    }

    /** A copy of the run whose latest.json has {@code field} set to {@code value} (a hostile checkpoint). */
    private static Path runWith(String name, String field, String value) throws Exception {
        Path copy = Files.createDirectories(dir.resolve(name));
        try (var files = Files.list(run)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        ObjectMapper json = new ObjectMapper();
        var state = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(copy.resolve("latest.json").toFile());
        state.put(field, value);
        if (field.equals("spec")) {
            state.remove(List.of("specText", "specHash")); // as a checkpoint written before they were recorded
        }
        json.writeValue(copy.resolve("latest.json").toFile(), state);
        return copy;
    }

    @Test
    void aCheckpointNamingASpecFileDoesNotMakeExportReadIt() throws Exception {
        Path secret = dir.resolve("secret.yaml");
        Files.writeString(secret, "SECRET-CONTENT: never read\n");
        Path hostile = runWith("spec-path", "spec", secret.toString());
        Path out = dir.resolve("spec-path-out").resolve("w.safetensors");
        CliRun r = CliRun.of("export", hostile.toString(), "-o", out.toString());
        assertEquals(1, r.status(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("'" + secret + "' is not a bundled spec") && r.err().contains("-m FILE.yaml"), r.err());
        assertTrue(!r.err().contains("SECRET"), r.err());
        assertTrue(!Files.exists(out), "nothing written");
    }

    @Test
    void aCheckpointNamingATensorFileElsewhereIsRefused() throws Exception {
        Path hostile = runWith("model-path", "modelFile", "../run/checkpoint-00000002.safetensors");
        Path out = dir.resolve("model-path-out").resolve("w.safetensors");
        CliRun r = CliRun.of("export", hostile.toString(), "-o", out.toString());
        assertEquals(1, r.status(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("modelFile is not a plain file name"), r.err());
        assertTrue(!Files.exists(out), "nothing written");
        // Resuming and warm-starting read the same JSON: the same refusal.
        CliRun resume = CliRun.trainTiny("bmshj2018-hyperprior", dir.resolve("data"), dir.resolve("resumed"), "--steps", "3",
                "--resume", hostile.toString());
        assertEquals(1, resume.status(), resume.toString());
        assertTrue(resume.err().contains("modelFile is not a plain file name"), resume.err());
    }
}
