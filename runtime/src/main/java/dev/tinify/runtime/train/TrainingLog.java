package dev.tinify.runtime.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A JSON-lines log of a run: one object per step ({@code "event":"step"}; a point-cloud run logs
 * its distortion as {@code chamfer} instead of {@code mse} and {@code psnr}; a loss's further terms
 * follow under their names), validation and
 * checkpoint, flushed per line so that it can be followed while training. A resumed run appends;
 * steps after the checkpoint it resumed from then appear twice, the later lines being the ones
 * the run continued with.
 */
public final class TrainingLog implements TrainingListener, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BufferedWriter out;

    /** Opens {@code file} for appending (created with its folder if missing). */
    public TrainingLog(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Override
    public void onStep(Step s) {
        ObjectNode o = JSON.createObjectNode().put("event", "step").put("step", s.step()).put("loss", s.loss()).put("bpp", s.bpp());
        if (Double.isNaN(s.psnr())) {
            o.put("chamfer", s.mse());
        } else {
            o.put("mse", s.mse()).put("psnr", s.psnr());
        }
        o.put("aux_loss", s.auxLoss()).put("grad_norm", s.gradNorm()).put("lr", s.learningRate()).put("steps_per_s", s.stepsPerSecond());
        if (!Double.isNaN(s.msSsim())) {
            o.put("ms_ssim", s.msSsim());
        }
        s.parts().forEach(o::put);
        write(o);
    }

    @Override
    public void onValidation(Validation v) {
        ObjectNode o = JSON.createObjectNode().put("event", "validation").put("step", v.step()).put("loss", v.loss())
                .put("lr", v.learningRate());
        if (!Double.isNaN(v.bpp())) {
            o.put("bpp", v.bpp());
        }
        if (!Double.isNaN(v.psnr())) {
            o.put("psnr", v.psnr());
        }
        if (!Double.isNaN(v.msSsim())) {
            o.put("ms_ssim", v.msSsim());
        }
        write(o);
    }

    @Override
    public void onCheckpoint(long step, Path file) {
        write(JSON.createObjectNode().put("event", "checkpoint").put("step", step).put("file", file.toString()));
    }

    /**
     * Records a warm start ({@code "event":"init"}: the files, the number of state-dict entries
     * taken and of the model's); written before the first step, it is the first record of the run.
     */
    public void onWarmStart(WarmStart.Result r) {
        ObjectNode o = JSON.createObjectNode().put("event", "init");
        r.files().forEach(f -> o.withArray("files").add(f.toString()));
        write(o.put("taken", r.taken().size()).put("grown", r.grown().size()).put("of", r.total()));
    }

    /** A module started as a pass-through of its first {@code channels} input channels ({@link PassThrough}). */
    public void onPassThrough(String module, int channels) {
        write(JSON.createObjectNode().put("event", "pass_through").put("module", module).put("channels", channels));
    }

    private void write(ObjectNode o) {
        try {
            out.write(JSON.writeValueAsString(o));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the training log: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
