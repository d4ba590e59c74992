package dev.tinify.runtime.train;

import dev.tinify.dsl.SpecHash;
import dev.tinify.dsl.SpecWriter;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.container.AtomicFiles;
import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.model.TrainableModel;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.nn.Param;
import dev.tinify.runtime.video.VideoModel;
import dev.tinify.runtime.ops.GradientCorrection;
import dev.tinify.runtime.ops.GradientCut;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * Trains a {@link CompressionModel} as CompressAI's example {@code train.py}, or a
 * {@link VideoModel} as its {@code train_video.py}: per step, the rate-distortion loss on a batch
 * of random patches or of groups of frames (noise quantization; see the {@link Objective}s), backward with CompressAI's
 * lower-bound gradient rule ({@link GradientCut} on the Gaussian scales, {@link GradientCorrection}
 * on leaf parameters), the net gradients clipped to a global
 * norm, a net Adam step; then the auxiliary loss, backward and an aux Adam step on the entropy
 * bottlenecks' quantiles ({@link ParameterGroups}). Every {@code validateEvery} steps the CDF
 * tables are rebuilt ({@code update(force=true)}), the validation loss is measured in evaluation
 * mode and fed to a plateau schedule of the net learning rate.
 *
 * <p>A variable-rate model trains in Kamisli et al.'s two stages: the base model alone at one
 * lambda, its variable-rate modules unused and so unchanged ({@link TrainingConfig#baseStage()}),
 * then every rate at once, each step drawing a trained level and its zoo lambda.
 *
 * <p>Runs are reproducible: the patches (or frames) and the quantization noise of step {@code s} depend only on
 * the seed and {@code s} (PyTorch's generator is reseeded per step). A checkpoint holds the model,
 * both optimizers' moments, the schedule and the step, so {@link #resume} continues with exactly
 * the step an uninterrupted run would take.
 *
 * <p>Memory: each step runs in a sub-manager of the model's with the model's arrays temporarily
 * attached, gradient handles are closed, and the optimizers update after the step's arrays are
 * freed, so the native footprint stays flat over a run. Only one trainer may run per process
 * (PyTorch's autograd mode is global).
 */
public final class Trainer implements AutoCloseable {
    private final TrainableModel model;
    /** The model's module tree (the same object as {@link #model}). */
    private final Module modules;
    private final Map<String, Param> frozen;
    private final TrainingConfig config;
    private final Objective objective;
    private final ParameterGroups groups;
    private final List<GradientCorrection> corrections = new ArrayList<>();
    private final NDManager stateManager;
    private final Adam netOptimizer;
    private final Adam auxOptimizer;
    private final PlateauScheduler scheduler;
    private final List<TrainingListener> listeners = new CopyOnWriteArrayList<>();
    private long seed;
    private long step;
    private double windowLoss;
    private long windowSteps;
    private long savedStep = -1;
    private @Nullable Path lastCheckpoint;
    private volatile boolean stopRequested;
    private @Nullable PhaseProbe probe;

    /** Told when each phase of a step ends, for profiling (see {@code TrainStepProfile} in the tests). */
    interface PhaseProbe {
        void phaseEnded(String phase);
    }

    /** Outcome of {@link #run()}. */
    public record Result(long step, boolean stopped, @Nullable Path checkpoint, double stepsPerSecond) {}

    /**
     * Prepares training of {@code model} (which stays owned by the caller) with {@code config}, on
     * random patches of the images in {@code config.trainDir()}.
     *
     * @throws IllegalArgumentException if the data folders hold no usable images or the patch does
     *     not suit the model
     */
    public Trainer(CompressionModel model, TrainingConfig config) {
        this(model, model, config, new ImageObjective(model, config));
    }

    /**
     * Prepares training of a video model (which stays owned by the caller) with {@code config}, on
     * groups of consecutive frames of the clips in {@code config.trainDir()} (see
     * {@link ClipObjective}); {@code config.batch()} counts groups.
     *
     * @throws IllegalArgumentException if the data folders hold no usable clips or the patch does
     *     not suit the model
     */
    public Trainer(VideoModel model, TrainingConfig config) {
        this(model, model, config, new ClipObjective(model, config));
    }

    private Trainer(TrainableModel model, Module modules, TrainingConfig config, Objective objective) {
        this.model = Objects.requireNonNull(model, "model");
        this.modules = modules;
        this.config = config;
        this.objective = objective;
        this.groups = ParameterGroups.of(modules);
        collectCorrections(modules);
        this.seed = config.seed();
        this.scheduler = new PlateauScheduler(config.plateauFactor(), config.patience());
        this.stateManager = NDManager.newBaseManager();
        this.netOptimizer = new Adam(stateManager, groups.net(), config.netLr());
        this.frozen = frozenParameters(modules, groups, config.frozen());
        netOptimizer.hold(frozen.keySet());
        this.auxOptimizer = new Adam(stateManager, groups.aux(), config.auxLr());
    }

    /**
     * The net parameters of the top-level modules named in {@code names}.
     *
     * @throws IllegalArgumentException if a name is not a top-level module with trained parameters
     */
    private static Map<String, Param> frozenParameters(Module modules, ParameterGroups groups, List<String> names) {
        Map<String, Param> out = new LinkedHashMap<>();
        for (String name : names) {
            int before = out.size();
            groups.net().forEach((key, p) -> {
                if (key.startsWith(name + ".")) {
                    out.put(key, p);
                }
            });
            if (!modules.children().containsKey(name) || out.size() == before) {
                throw new IllegalArgumentException("cannot freeze '" + name + "': not a top-level module with trained parameters"
                        + " (modules: " + String.join(", ", modules.children().keySet()) + ")");
            }
        }
        return out;
    }

    private void collectCorrections(Module m) {
        if (m instanceof GradientCorrection c) {
            corrections.add(c);
        }
        m.children().values().forEach(this::collectCorrections);
    }

    /** Sets the probe told of the phases of each step (null: none). */
    void probe(@Nullable PhaseProbe p) {
        probe = p;
    }

    private void phaseEnded(String phase) {
        PhaseProbe p = probe;
        if (p != null) {
            p.phaseEnded(phase);
        }
    }

    /** Adds a progress listener. */
    public void addListener(TrainingListener l) {
        listeners.add(l);
    }

    /** Steps done so far. */
    public long step() {
        return step;
    }

    /** The net/aux parameter split in use. */
    public ParameterGroups groups() {
        return groups;
    }

    /** Current net learning rate. */
    public double learningRate() {
        return netOptimizer.learningRate();
    }

    /**
     * Replaces the net learning rate (a resumed run continuing with another rate than the saved
     * one) and restarts the plateau schedule's count of evaluations without improvement; the best
     * loss it has seen is kept.
     */
    public void setLearningRate(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be >= 0, got " + lr);
        }
        netOptimizer.setLearningRate(lr);
        scheduler.restore(new PlateauScheduler.State(scheduler.state().best(), 0));
    }

    /**
     * Asks a running {@link #run()} to stop after the current step and write a checkpoint. Safe to
     * call from any thread (a shutdown hook).
     */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * Trains until {@code config.steps()} steps are done or {@link #requestStop()} is called, then
     * writes a checkpoint (unless the last step already has one).
     *
     * @throws IllegalStateException if the loss stops being finite (the last checkpoint is kept)
     */
    public Result run() {
        modules.train(true);
        long nanos = 0;
        long done = 0;
        try {
            while (step < config.steps() && !stopRequested) {
                long t0 = System.nanoTime();
                TrainingListener.Step s = trainStep();
                nanos += System.nanoTime() - t0;
                done++;
                s = new TrainingListener.Step(s.step(), s.totalSteps(), s.loss(), s.bpp(), s.mse(), s.psnr(), s.msSsim(), s.auxLoss(),
                        s.gradNorm(), s.learningRate(), done / (nanos / 1e9), s.parts());
                for (TrainingListener l : listeners) {
                    l.onStep(s);
                }
                if (config.validateEvery() > 0 && step % config.validateEvery() == 0) {
                    validate();
                }
                if (config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0) {
                    saveCheckpoint();
                }
            }
            if (savedStep != step) {
                saveCheckpoint();
            }
        } finally {
            modules.train(false);
        }
        return new Result(step, stopRequested, lastCheckpoint, done == 0 ? Double.NaN : done / (nanos / 1e9));
    }

    /**
     * One optimizer step on the next batch, as {@link #run()} takes it (without its validations,
     * checkpoints or listeners); {@code stepsPerSecond} of the result is NaN.
     */
    public TrainingListener.Step trainStep() {
        if (!modules.isTraining()) {
            modules.train(true);
        }
        objective.sample(step);
        phaseEnded("sample");
        // The noise of step s depends on (seed, s) only, so a resumed run draws what an uninterrupted one would.
        JniUtils.setSeed(PatchSampler.mix(seed, step));
        zeroGradients();
        phaseEnded("zero grad");
        float[] values;
        List<String> partNames;
        try (NDManager sub = model.manager().newSubManager()) {
            sub.tempAttachAll(modules.arrays());
            try (GradientCollector gc = Engine.getInstance().newGradientCollector(); GradientCut cut = GradientCut.open(sub)) {
                RateDistortionLoss.Terms t = objective.forward(step, seed, sub);
                phaseEnded("forward+loss");
                cut.backward(t.loss());
                phaseEnded("backward");
                NDList scalars = new NDList(t.loss(), t.bpp(), t.mse());
                if (t.msSsim() != null) {
                    scalars.add(t.msSsim());
                }
                partNames = List.copyOf(t.parts().keySet());
                t.parts().values().forEach(scalars::add);
                values = NDArrays.stack(scalars).toFloatArray();
            }
        }
        phaseEnded("read loss+free");
        if (!Float.isFinite(values[0])) {
            throw new TrainingDivergedException(model.name() + ": the loss is " + values[0] + " at step " + (step + 1)
                    + " (bpp " + values[1] + ", mse " + values[2] + "); training stopped"
                    + (lastCheckpoint == null ? "" : ", last checkpoint " + lastCheckpoint));
        }
        for (GradientCorrection c : corrections) {
            c.correctGradients();
        }
        // Held parameters take no step; their gradients must not shrink the others' through the norm clip either.
        for (Param p : frozen.values()) {
            JniUtils.zeroGrad((PtNDArray) p.value());
        }
        phaseEnded("grad correction");
        double norm;
        try (NDManager sub = stateManager.newSubManager(); NDArray grad = netOptimizer.gradients(sub)) {
            phaseEnded("flatten grads");
            norm = clipGradients(grad, config.clipNorm());
            phaseEnded("clip");
            if (!Double.isFinite(norm)) {
                throw new TrainingDivergedException(model.name() + ": non-finite gradients at step " + (step + 1) + " (loss " + values[0]
                        + ") in " + nonFinite(groups.net()) + "; training stopped before the update"
                        + (lastCheckpoint == null ? "" : ", last checkpoint " + lastCheckpoint));
            }
            netOptimizer.step(grad);
        }
        phaseEnded("net adam");
        double aux = auxStep();
        phaseEnded("aux step");
        step++;
        windowLoss += values[0];
        windowSteps++;
        double mse = values[2];
        int first = values.length - partNames.size();
        Map<String, Double> parts = new LinkedHashMap<>();
        for (int i = 0; i < partNames.size(); i++) {
            parts.put(partNames.get(i), (double) values[first + i]);
        }
        // A point cloud's distortion is a Chamfer distance, of which a PSNR would mean nothing.
        return new TrainingListener.Step(step, config.steps(), values[0], values[1], mse,
                model.pointCloud() ? Double.NaN : 10 * Math.log10(1 / mse),
                first > 3 ? values[3] : Double.NaN, aux, norm, netOptimizer.learningRate(), Double.NaN, parts);
    }

    private void zeroGradients() {
        for (Param p : modules.parameters().values()) {
            JniUtils.zeroGrad((PtNDArray) p.value());
        }
    }

    /** The auxiliary loss's backward and the aux optimizer's step; returns the loss. */
    private double auxStep() {
        float value;
        try (NDManager sub = model.manager().newSubManager()) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray aux = model.auxLoss();
                // Moved here so that backward's ones-like seed is freed with the step.
                aux.attach(sub);
                gc.backward(aux);
                value = aux.getFloat();
            }
        }
        try (NDManager sub = stateManager.newSubManager(); NDArray grad = auxOptimizer.gradients(sub)) {
            auxOptimizer.step(grad);
        }
        return value;
    }

    /** Names of the parameters whose gradient holds NaN or infinity (at most 10). */
    private static List<String> nonFinite(Map<String, Param> params) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Param> e : params.entrySet()) {
            NDArray w = e.getValue().value();
            if (out.size() < 10 && w.hasGradient()) {
                try (NDArray g = w.getGradient(); NDArray sum = g.sum()) {
                    if (!Float.isFinite(sum.getFloat())) {
                        out.add(e.getKey());
                    }
                }
            }
        }
        return out;
    }

    /**
     * Scales a flat gradient so that its L2 norm is at most {@code max} (torch's
     * {@code clip_grad_norm_}: factor {@code max / (norm + 1e-6)} when below 1; no clipping when
     * {@code max} is 0). Returns the norm before clipping.
     */
    static double clipGradients(NDArray grad, double max) {
        double norm;
        try (NDArray n = grad.norm()) {
            norm = n.getFloat();
        }
        double coef = max / (norm + 1e-6);
        if (max > 0 && coef < 1) {
            grad.muli((float) coef);
        }
        return norm;
    }

    /**
     * Rebuilds the CDF tables, measures the validation loss in evaluation mode (or takes the mean
     * training loss since the last validation when there is no validation set) and steps the
     * plateau schedule.
     */
    public TrainingListener.Validation validate() {
        model.update(true);
        double lossSum = 0;
        double bppSum = 0;
        double mseSum = 0;
        double ssimSum = 0;
        double valLoss;
        int n = objective.validationItems();
        if (n == 0) {
            valLoss = windowSteps == 0 ? Double.NaN : windowLoss / windowSteps;
        } else {
            boolean wasTraining = modules.isTraining();
            modules.train(false);
            try {
                for (int i = 0; i < n; i++) {
                    try (NDManager sub = model.manager().newSubManager()) {
                        sub.tempAttachAll(modules.arrays());
                        RateDistortionLoss.Terms t = objective.validate(i, sub);
                        lossSum += t.loss().getFloat();
                        bppSum += t.bpp().getFloat();
                        mseSum += t.mse().getFloat();
                        ssimSum += t.msSsim() == null ? Double.NaN : t.msSsim().getFloat();
                    }
                }
            } finally {
                modules.train(wasTraining);
            }
            valLoss = lossSum / n;
        }
        if (!Double.isNaN(valLoss)) {
            netOptimizer.setLearningRate(scheduler.step(valLoss, netOptimizer.learningRate()));
        }
        windowLoss = 0;
        windowSteps = 0;
        TrainingListener.Validation v = n == 0
                ? new TrainingListener.Validation(step, valLoss, Double.NaN, Double.NaN, Double.NaN, netOptimizer.learningRate())
                : new TrainingListener.Validation(step, valLoss, bppSum / n, model.pointCloud() ? Double.NaN : 10 * Math.log10(n / mseSum),
                        ssimSum / n,
                        netOptimizer.learningRate());
        for (TrainingListener l : listeners) {
            l.onValidation(v);
        }
        return v;
    }

    /**
     * Writes a checkpoint of the current step into the output folder: {@code checkpoint-<step>.safetensors}
     * (model), {@code .optim.safetensors} (optimizers) and {@code .json} (state, written last), and
     * the same JSON as {@code latest.json}. Every file is replaced atomically. Returns the JSON path.
     */
    public Path saveCheckpoint() {
        Path dir = config.outDir();
        String base = String.format(Locale.ROOT, "checkpoint-%08d", step);
        String modelFile = base + ".safetensors";
        String optimizerFile = base + ".optim.safetensors";
        Path json = dir.resolve(base + ".json");
        try {
            Files.createDirectories(dir);
            Map<String, SafeTensors.Tensor> weights = StateDicts.save(modules, StateDicts.Precision.FULL);
            AtomicFiles.write(dir.resolve(modelFile), out -> SafeTensors.write(weights, out));
            Map<String, SafeTensors.Tensor> moments = new LinkedHashMap<>(netOptimizer.moments("net."));
            moments.putAll(auxOptimizer.moments("aux."));
            AtomicFiles.write(dir.resolve(optimizerFile), out -> SafeTensors.write(moments, out));
            PlateauScheduler.State ps = scheduler.state();
            TrainingState state = new TrainingState(TrainingState.FORMAT, model.name(), new LinkedHashMap<>(model.params()),
                    config.metric().id(), config.lambda(), config.quality(), step, seed, config.batch(), config.patch(),
                    netOptimizer.learningRate(), auxOptimizer.learningRate(), netOptimizer.steps(), auxOptimizer.steps(), Double.isInfinite(ps.best()) ? null : ps.best(), ps.badEvaluations(),
                    windowLoss, windowSteps, modelFile, optimizerFile, config.trainDir().toString(),
                    new TrainingState.Schedule(config.validateEvery(), config.checkpointEvery(), config.patience(), config.plateauFactor(),
                            config.clipNorm(), config.valDir() == null ? null : config.valDir().toString()),
                    SpecWriter.write(model.spec()), SpecHash.of(model.spec(), model.params()), Augmentation.ids(config.augment()));
            byte[] text = state.toJson();
            AtomicFiles.write(json, text);
            AtomicFiles.write(dir.resolve("latest.json"), text);
        } catch (IOException e) {
            throw new UncheckedIOException(json + ": cannot write checkpoint: " + e.getMessage(), e);
        }
        savedStep = step;
        lastCheckpoint = json;
        for (TrainingListener l : listeners) {
            l.onCheckpoint(step, json);
        }
        return json;
    }

    /** Parameters compared by value: checkpoints written before they kept their types hold 16 as 16.0. */
    private static Map<String, Double> byValue(Map<String, Number> params) {
        Map<String, Double> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, v.doubleValue()));
        return out;
    }

    /**
     * Continues from a checkpoint written by {@link #saveCheckpoint()}: loads the model weights,
     * the optimizers' moments and learning rates, the schedule, the seed and the step. A folder
     * means its {@code latest.json}.
     *
     * @throws IllegalArgumentException if the checkpoint is unreadable or was made for another
     *     architecture, parameters, metric, lambda, batch or patch size
     */
    public void resume(Path checkpoint) {
        Path json = TrainingState.file(checkpoint);
        TrainingState s;
        Map<String, SafeTensors.Tensor> weights;
        Map<String, SafeTensors.Tensor> moments;
        try {
            s = TrainingState.read(json);
            weights = SafeTensors.read(s.modelPath(json));
            moments = SafeTensors.read(s.optimizerPath(json));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot resume from " + json + ": " + e.getMessage(), e);
        }
        requireSame(json, "architecture", s.spec(), model.name());
        requireSame(json, "parameters", byValue(s.params()), byValue(model.params()));
        requireSame(json, "metric", s.metric(), config.metric().id());
        requireSame(json, "lambda", s.lambda(), config.lambda());
        requireSame(json, "batch", s.batch(), config.batch());
        requireSame(json, "patch", s.patch(), config.patch());
        model.load(weights);
        netOptimizer.restore(moments, "net.", s.netSteps());
        auxOptimizer.restore(moments, "aux.", s.auxSteps());
        netOptimizer.setLearningRate(s.netLr());
        auxOptimizer.setLearningRate(s.auxLr());
        scheduler.restore(new PlateauScheduler.State(s.plateauBest() == null ? Double.POSITIVE_INFINITY : s.plateauBest(),
                s.plateauBad()));
        seed = s.seed();
        step = s.step();
        windowLoss = s.windowLoss();
        windowSteps = s.windowSteps();
        savedStep = step;
        lastCheckpoint = json;
    }

    private static void requireSame(Path json, String what, Object saved, Object current) {
        if (!saved.equals(current)) {
            throw new IllegalArgumentException("cannot resume from " + json + ": it was trained with " + what + " " + saved
                    + ", this run has " + current);
        }
    }

    /** Frees the optimizers' state (the model stays open). */
    @Override
    public void close() {
        stateManager.close();
    }
}
