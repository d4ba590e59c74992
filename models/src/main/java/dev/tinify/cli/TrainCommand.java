package dev.tinify.cli;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.tinify.PointCloudCodec;
import dev.tinify.Tinify;
import dev.tinify.TinifyException;
import dev.tinify.dsl.Metric;
import dev.tinify.dsl.Spec;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.video.VideoModel;
import dev.tinify.runtime.train.Augmentation;
import dev.tinify.runtime.train.DensityRateLoss;
import dev.tinify.runtime.train.PassThrough;
import dev.tinify.runtime.train.RateDistortionLoss;
import dev.tinify.runtime.train.Trainer;
import dev.tinify.runtime.train.TrainingConfig;
import dev.tinify.runtime.train.TrainingListener;
import dev.tinify.runtime.train.TrainingLog;
import dev.tinify.runtime.train.TrainingState;
import dev.tinify.runtime.train.WarmStart;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * {@code tinify train -m SPEC -q Q --data DIR --steps S}: trains an architecture with CompressAI's
 * recipe, writing checkpoints and a JSON-lines log to {@code --out}. Ctrl-C finishes the current
 * step and writes a checkpoint; {@code --resume} continues from one exactly.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a spec's architecture on random patches of an image folder (CompressAI's recipe: "
                + "Adam 1e-4 on the network, Adam 1e-3 on the entropy bottlenecks' quantiles, gradients clipped at norm 1, "
                + "learning rate halved on a validation plateau).",
                "A point-cloud model (input: points) trains on a folder of .ply clouds and .off meshes with the papers' loss, "
                        + "rate + lambda * Chamfer distance (--lambda L); each sample is --patch points drawn from a file "
                        + "(fresh points on a mesh), centred and scaled into [-1, 1]. A model with a density_decoder "
                        + "(hrtzxf2022) trains with He et al.'s loss instead: rate + lambda * the Chamfer distance at every "
                        + "decoder level, plus its point-count, mean-distance and latent-point terms (CompressAI's lambda: 1e4).",
                "Ctrl-C stops after the current step and writes a checkpoint; --resume continues exactly where it stopped."})
final class TrainCommand extends ToolCommand {
    /** CompressAI's net learning rate. */
    static final double DEFAULT_LR = 1e-4;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL",
            description = "Spec file or bundled spec name (e.g. bmshj2018-hyperprior).")
    String spec = "";

    @Option(names = {"-q", "--quality"}, paramLabel = "Q",
            description = "Zoo quality: its parameters (N, M, ...) and lambda from the spec's zoo section.")
    @Nullable Integer quality;

    @Option(names = "--metric", paramLabel = "METRIC", defaultValue = "mse",
            description = "Distortion: mse or ms-ssim (default: ${DEFAULT-VALUE}).")
    Metric metric = Metric.MSE;

    @Option(names = "--lambda", paramLabel = "L", description = "Rate-distortion lambda (default: the zoo's for -q).")
    @Nullable Double lambda;

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "Folder of training images (or point clouds); for a video spec (ssf2020), of clips: .y4m files or folders of "
                    + "numbered PNG frames.")
    Path data;

    @Option(names = "--val", paramLabel = "DIR",
            description = "Folder of validation images (centre crops of --patch); without it the plateau schedule uses the training loss.")
    @Nullable Path val;

    @Option(names = "--steps", required = true, paramLabel = "S", description = "Total optimizer steps (a resumed run continues up to S).")
    long steps;

    @Option(names = "--resume", paramLabel = "CKPT", description = {"Checkpoint JSON (or a run folder: its latest.json) to continue from.",
            "The run keeps its saved --val, --val-every, --checkpoint-every, --patience and --clip unless they are given."})
    @Nullable Path resume;

    @Option(names = "--init", paramLabel = "W[,W...]", split = ",",
            description = {"Start a fresh run from model weights (safetensors with CompressAI key names, or a run folder / "
                    + "checkpoint JSON for its model file): entries matching the model in name and shape are taken, a later file "
                    + "winning where several fit; the rest keep their initialization; entropy tables are rebuilt.",
                    "Fine-tunes one quality from another, or starts an architecture from a related one."})
    List<Path> init = new ArrayList<>();

    @Option(names = "--patch", defaultValue = "256", paramLabel = "P",
            description = "Patch side (default: ${DEFAULT-VALUE}); a point-cloud model: points per training cloud (default: its num_points).")
    int patch = 256;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "B",
            description = "Patches per step, or groups of 3 frames for a video spec (default: ${DEFAULT-VALUE}).")
    int batch = 8;

    @Option(names = "--set", paramLabel = "NAME=VALUE", description = "Override a spec parameter, e.g. --set N=64 (repeatable; applied after -q).")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: runs/SPEC-METRIC-qQ).")
    @Nullable Path out;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the initial weights, patches and noise (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--lr", paramLabel = "LR",
            description = "Net learning rate (default: " + DEFAULT_LR + "; a resumed run keeps its saved rate unless --lr is given).")
    @Nullable Double lr;

    @Option(names = "--aux-lr", defaultValue = "1e-3", description = "Aux learning rate (default: ${DEFAULT-VALUE}).")
    double auxLr = 1e-3;

    @Option(names = "--clip", defaultValue = "1.0", description = "Gradient norm bound, 0 for none (default: ${DEFAULT-VALUE}).")
    double clip = 1.0;

    @Option(names = "--val-every", defaultValue = "1000", paramLabel = "N", description = "Steps between validations (default: ${DEFAULT-VALUE}).")
    int valEvery = 1000;

    @Option(names = "--checkpoint-every", defaultValue = "1000", paramLabel = "N",
            description = "Steps between checkpoints (default: ${DEFAULT-VALUE}).")
    int checkpointEvery = 1000;

    @Option(names = "--patience", defaultValue = "20", description = "Validations without improvement before halving the learning rate (default: ${DEFAULT-VALUE}).")
    int patience = 20;

    @Option(names = "--threads", paramLabel = "N", description = "PyTorch threads (default: the number of cores).")
    @Nullable Integer threads;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Option(names = "--stage", paramLabel = "1|2", defaultValue = "2",
            description = {"A variable-rate model's training stage (Kamisli et al.): 1 trains its base model alone at the lambda "
                    + "of -q (or --lambda), the variable-rate modules unused and unchanged; 2 (default) trains every rate at once, "
                    + "each step a trained level with its zoo lambda. Stage 2 usually starts with --init from stage 1's checkpoint."})
    int stage = 2;

    @Option(names = "--freeze", paramLabel = "MODULE[,MODULE...]", split = ",",
            description = {"Keep these top-level modules' parameters at their values (e.g. g_a,g_s: a context model warm-started "
                    + "from a hyperprior first fits its fresh entropy model to the trained transforms, which its random "
                    + "predictions would otherwise wreck). Not saved: a resumed run is frozen only when given again."})
    List<String> freeze = new ArrayList<>();

    @Option(names = "--pass-through", paramLabel = "MODULE[:CHANNELS][,...]", split = ",",
            description = {"Start these top-level modules of 1x1 (or stride-1) convolutions as a pass-through of their first CHANNELS "
                    + "input channels (default: as many as the narrowest layer has), after --init: e.g. "
                    + "entropy_parameters:96 for hyperprior-context at M=96 passes the hyperprior's scales through with zero means, "
                    + "so the context model starts at the hyperprior's rate-distortion point."})
    List<String> passThrough = new ArrayList<>();

    @Option(names = "--grow", description = {"With --init, also take tensors smaller than the model's (a narrower N or M "
            + "of the same layers) into their leading block: the old channels compute what the narrower model did, "
            + "weights from new input channels to old outputs start at zero, the rest keeps its initialization."})
    boolean grow;

    @Option(names = "--augment", paramLabel = "A[,A...]", split = ",",
            description = {"What each image patch may go through besides its crop: flips (a random horizontal and vertical "
                    + "flip; the default), channels (one of the six orders of R, G, B: saturated colours of every hue from a "
                    + "training set of mostly landscapes), or none. Saved: a resumed run keeps its own unless given."})
    @Nullable List<String> augment;

    /** Modules started as a pass-through, with the channels each passes. */
    private final Map<String, Integer> passed = new LinkedHashMap<>();

    @Override
    int execute() throws Exception {
        if (resume != null && !init.isEmpty()) {
            throw new TinifyException("--init starts a fresh run from weights, --resume continues a checkpoint: give one of them");
        }
        if (grow && init.isEmpty()) {
            throw new TinifyException("--grow widens the weights of --init: give --init W");
        }
        if (resume != null && !passThrough.isEmpty()) {
            throw new TinifyException("--pass-through sets fresh weights, --resume continues a checkpoint: give one of them");
        }
        Metric m = metric;
        Spec s = Tinify.spec(spec);
        double lmbda = resolveLambda(s, m);
        Map<String, Object> params = new LinkedHashMap<>();
        if (quality != null) {
            params.putAll(s.qualityParams(quality));
        }
        params.putAll(Params.parse(set));
        Path outDir = out != null ? out
                : Path.of("runs", s.name() + "-" + m.id() + (quality != null ? "-q" + quality : "-l" + lmbda));
        PrintWriter err = cmd.commandLine().getErr();
        TrainingConfig.Builder builder = TrainingConfig.builder(data, outDir, m, lmbda, steps);
        builder.augment(augmentations());
        if (resume != null) {
            keepSchedule(resume, builder, err);
        }
        if (stage != 1 && stage != 2) {
            throw new TinifyException("--stage " + stage + ": expected 1 (the base model) or 2 (every rate)");
        }
        builder.valDir(val).quality(quality == null ? 0 : quality).baseStage(stage == 1).batch(batch).seed(seed)
                .netLr(lr != null ? lr : DEFAULT_LR).auxLr(auxLr).clipNorm(clip).validateEvery(valEvery)
                .checkpointEvery(checkpointEvery).patience(patience).frozen(freeze);
        Engine.getInstance().setRandomSeed((int) seed);
        if (threads != null) {
            if (threads < 1) {
                throw new TinifyException("--threads must be at least 1, got " + threads);
            }
            JniUtils.setNumThreads(threads);
        }
        if (s.input() == Spec.Input.VIDEO) {
            try (VideoModel model = Tinify.buildVideo(s, params)) {
                TrainingConfig config = builder.patch(patch).build();
                WarmStart.Result warm = init.isEmpty() ? null : WarmStart.apply(model, init, grow);
                startPassThrough(model);
                try (Trainer trainer = new Trainer(model, config)) {
                    train(trainer, model.name(), model.params(), model.parameterCount(), warm, config,
                            m.id() + " lambda " + lmbda, "3-frame groups of " + patch + "x" + patch, err);
                }
            }
        } else {
            try (CompressionModel model = Tinify.build(s, params)) {
                int size = patchFor(model);
                TrainingConfig config = builder.patch(size).build();
                // Before the trainer exists, so that its optimizers start from the loaded values.
                WarmStart.Result warm = init.isEmpty() ? null : WarmStart.apply(model, init, grow);
                startPassThrough(model);
                try (Trainer trainer = new Trainer(model, config)) {
                    String objective = DensityRateLoss.fits(model)
                            ? "He et al.: rate + lambda * Chamfer per level + counts, mean distances, latent points; lambda " + lmbda
                            : model.pointCloud() ? "rate + lambda * Chamfer, lambda " + lmbda
                            : !model.variableRate() || stage == 1
                                    ? m.id() + " lambda " + lmbda + (model.variableRate() ? ", stage 1: the base model" : "")
                                    : "stage 2: every rate with its zoo " + m.id() + " lambda";
                    if (!freeze.isEmpty()) {
                        objective += ", " + String.join(" and ", freeze) + " frozen";
                    }
                    train(trainer, model.name(), model.params(), model.parameterCount(), warm, config, objective,
                            model.pointCloud() ? size + "-point clouds" : size + "x" + size + ", augment: " + describe(config.augment()), err);
                }
            }
        }
        return 0;
    }

    /** Applies {@code --pass-through}, each {@code MODULE[:CHANNELS]}, in the order given. */
    private void startPassThrough(Module model) {
        Random random = new Random(seed);
        for (String item : passThrough) {
            int colon = item.indexOf(':');
            String name = colon < 0 ? item : item.substring(0, colon);
            int channels = 0;
            if (colon >= 0) {
                try {
                    channels = Integer.parseInt(item.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new TinifyException("--pass-through " + item + ": expected MODULE or MODULE:CHANNELS with a whole number of channels");
                }
            }
            passed.put(name, PassThrough.apply(model, name, channels, random));
        }
    }

    /**
     * The patch side, or for a point-cloud model the points per training cloud: {@code --patch}
     * when given, else 256 for images and the spec's {@code num_points} for clouds.
     */
    private int patchFor(CompressionModel model) {
        if (!model.pointCloud() || cmd.commandLine().getParseResult().hasMatchedOption("--patch")) {
            return patch;
        }
        Number n = model.params().get(PointCloudCodec.NUM_POINTS);
        if (n == null) {
            throw new TinifyException(model.name() + " has no " + PointCloudCodec.NUM_POINTS + " parameter: give --patch POINTS");
        }
        return n.intValue();
    }

    /**
     * Resumes if asked, reports, logs and runs {@code trainer} (an image or a video model's);
     * {@code objective} says what the loss weighs, {@code unit} what a batch holds.
     */
    private void train(Trainer trainer, String name, Map<String, Number> modelParams, long parameterCount,
                       WarmStart.@Nullable Result warm, TrainingConfig config, String objective, String unit, PrintWriter err)
            throws IOException {
        Path outDir = config.outDir();
        try (TrainingLog log = new TrainingLog(outDir.resolve("train.jsonl"))) {
            if (warm != null) {
                err.printf(Locale.ROOT, "tinify: initialized %d of %d state-dict entries of %s from %s%s%n", warm.taken().size(),
                        warm.total(), name, warm.files(), warm.grown().isEmpty() ? "" : " (" + warm.grown().size() + " grown into wider tensors)");
                log.onWarmStart(warm);
            }
            for (Map.Entry<String, Integer> e : passed.entrySet()) {
                err.printf(Locale.ROOT, "tinify: %s starts as a pass-through of its first %d input channels%n", e.getKey(), e.getValue());
                log.onPassThrough(e.getKey(), e.getValue());
            }
            if (resume != null) {
                trainer.resume(resume);
                err.println("tinify: resumed " + name + " at step " + trainer.step() + " from " + resume);
                if (lr != null) {
                    trainer.setLearningRate(lr);
                    err.println("tinify: net learning rate set to " + lr);
                }
            }
            err.printf(Locale.ROOT, "tinify: training %s %s (%,d parameters), %s, batch %d of %s, steps %d..%d -> %s%n",
                    name, modelParams, parameterCount, objective, batch, unit, trainer.step(), steps, outDir);
            err.flush();
            trainer.addListener(log);
            runWithStopHook(trainer, err);
        }
    }

    /** The augmentations of {@code --augment}, or the default without it. */
    private Set<Augmentation> augmentations() {
        if (augment == null) {
            return Augmentation.DEFAULT;
        }
        try {
            return Augmentation.parse(augment);
        } catch (IllegalArgumentException e) {
            throw new TinifyException("--augment " + String.join(",", augment) + ": " + e.getMessage());
        }
    }

    /**
     * A resumed run keeps the augmentations and the validation, checkpoint and plateau settings
     * saved in its checkpoint; an option given on the command line replaces the saved value, and
     * says so.
     */
    private void keepSchedule(Path checkpoint, TrainingConfig.Builder builder, PrintWriter err) {
        Path json = TrainingState.file(checkpoint);
        TrainingState state;
        Set<Augmentation> savedAugment;
        try {
            state = TrainingState.read(json);
            savedAugment = state.augmentations();
        } catch (IOException | IllegalArgumentException e) {
            throw new TinifyException("cannot resume from " + json + ": " + e.getMessage());
        }
        Set<Augmentation> asked = augmentations();
        if (augment == null) {
            builder.augment(savedAugment);
        } else if (!asked.equals(savedAugment)) {
            err.println("tinify: --augment " + describe(asked) + " replaces the run's " + describe(savedAugment));
        }
        TrainingState.Schedule saved = state.schedule();
        if (saved == null) {
            return; // written before schedules were recorded: the options (or their defaults) apply
        }
        ParseResult given = cmd.commandLine().getParseResult();
        valEvery = keep(given, "--val-every", valEvery, saved.validateEvery(), err);
        checkpointEvery = keep(given, "--checkpoint-every", checkpointEvery, saved.checkpointEvery(), err);
        patience = keep(given, "--patience", patience, saved.patience(), err);
        clip = keep(given, "--clip", clip, saved.clipNorm(), err);
        // A checkpoint names no folder to read: the validation images are given again or not used.
        if (!given.hasMatchedOption("--val") && saved.valDir() != null) {
            err.println("tinify: the run validated on " + saved.valDir() + "; give --val again to keep validating");
        }
        builder.plateauFactor(saved.plateauFactor());
    }

    private static String describe(Set<Augmentation> set) {
        return set.isEmpty() ? "none" : String.join(" and ", Augmentation.ids(set));
    }

    private static <T> @Nullable T keep(ParseResult given, String option, @Nullable T current, @Nullable T saved, PrintWriter err) {
        if (!given.hasMatchedOption(option)) {
            return saved;
        }
        if (!Objects.equals(current, saved)) {
            err.println("tinify: " + option + " " + current + " replaces the run's " + saved);
        }
        return current;
    }

    private double resolveLambda(Spec s, Metric m) {
        if (lambda != null) {
            return lambda;
        }
        if (quality == null) {
            throw new TinifyException("give -q QUALITY (zoo parameters and lambda) or --lambda L");
        }
        return RateDistortionLoss.lambda(s, m, quality);
    }

    /**
     * Runs the trainer with a shutdown hook that, on Ctrl-C, lets the current step finish and the
     * checkpoint be written before the JVM exits.
     */
    private void runWithStopHook(Trainer trainer, PrintWriter err) {
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            trainer.requestStop();
            try {
                finished.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "tinify-train-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        ProgressBar bar = quiet ? null : new ProgressBarBuilder().setTaskName("train").setInitialMax(steps)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(1000).startsFrom(trainer.step(), Duration.ZERO)
                // Rendered through the command's own error writer, so that tests and callers can capture it.
                .setConsumer(new DelegatingProgressBarConsumer(line -> {
                    err.print('\r' + line);
                    err.flush();
                }, 140)).build();
        boolean barOpen = bar != null;
        try {
            if (bar != null) {
                trainer.addListener(new TrainingListener() {
                    @Override
                    public void onStep(Step st) {
                        bar.stepTo(st.step());
                        bar.setExtraMessage(Double.isNaN(st.psnr())
                                ? String.format(Locale.ROOT, " loss %.4f bits/point %.4f chamfer %.5f aux %.1f %.3f it/s", st.loss(),
                                        st.bpp(), st.mse(), st.auxLoss(), st.stepsPerSecond())
                                : String.format(Locale.ROOT, " loss %.4f bpp %.4f psnr %.2f aux %.1f %.3f it/s", st.loss(),
                                        st.bpp(), st.psnr(), st.auxLoss(), st.stepsPerSecond()));
                    }
                });
            }
            trainer.addListener(new TrainingListener() {
                @Override
                public void onValidation(Validation v) {
                    if (Double.isNaN(v.bpp())) {
                        // no --val folder: the schedule judged the mean training loss since the last validation
                        err.printf(Locale.ROOT, "%nat step %d: mean training loss %.4f, lr %.2e%n", v.step(), v.loss(), v.learningRate());
                    } else if (Double.isNaN(v.psnr())) {
                        err.printf(Locale.ROOT, "%nvalidation at step %d: loss %.4f bits/point %.4f lr %.2e%n", v.step(), v.loss(),
                                v.bpp(), v.learningRate());
                    } else {
                        err.printf(Locale.ROOT, "%nvalidation at step %d: loss %.4f bpp %.4f psnr %.2f lr %.2e%n", v.step(), v.loss(),
                                v.bpp(), v.psnr(), v.learningRate());
                    }
                    err.flush();
                }
            });
            Trainer.Result r = trainer.run();
            if (bar != null) {
                // Closed once: closing again renders the bar again, after the summary.
                barOpen = false;
                bar.close();
                // The bar's line ends with a carriage return, not a newline: the summary goes on a line of its own.
                err.println();
                err.flush();
            }
            // Printed before the hook is released: on Ctrl-C the JVM exits as soon as it returns.
            PrintWriter o = cmd.commandLine().getOut();
            o.printf(Locale.ROOT, "%s at step %d, %.3f steps/s; checkpoint %s%n", r.stopped() ? "stopped" : "done", r.step(),
                    r.stepsPerSecond(), r.checkpoint());
            o.flush();
        } finally {
            if (barOpen) {
                bar.close();
            }
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running: it returns now that the checkpoint is written.
            }
        }
    }
}
