package dev.tinify.runtime.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tinify.dsl.Resolver;
import dev.tinify.dsl.Spec;
import dev.tinify.runtime.checkpoint.SafeTensors;
import dev.tinify.runtime.checkpoint.StateDicts;
import dev.tinify.runtime.codecs.LatentCodec;
import dev.tinify.runtime.codecs.vbr.Rate;
import dev.tinify.runtime.codecs.vbr.VariableRateCodec;
import dev.tinify.runtime.entropy.EntropyModels;
import dev.tinify.runtime.layers.LayerInputException;
import dev.tinify.runtime.nn.ForwardScope;
import dev.tinify.runtime.nn.Layer;
import dev.tinify.runtime.nn.Module;
import dev.tinify.runtime.nn.Param;
import dev.tinify.runtime.ops.GradientCut;
import java.util.Collections;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A compiled architecture, as CompressAI's {@code CompressionModel} with a latent codec:
 *
 * <pre>
 *        ┌───┐  y  ┌──────────────┐ y_hat ┌───┐
 *  x ──►─┤g_a├──►──┤ latent codec ├───►───┤g_s├──►── x_hat
 *        └───┘     └──────────────┘       └───┘
 * </pre>
 *
 * Its state dict has CompressAI's key names for the same architecture, so CompressAI checkpoints
 * load as they are. The model owns one {@link NDManager} holding every parameter; {@link #close()}
 * releases it. Forward, compress and decompress run in a {@link ForwardScope}, so their
 * intermediates are freed and only the results survive, in the caller's manager. Built by
 * {@link dev.tinify.runtime.compile.SpecCompiler}.
 *
 * <p>Thread safety: a model may be shared between threads. Every method that runs or changes the
 * module tree holds the model's lock, so calls from several threads run one at a time and give
 * the same results as from one thread; for parallel work, build one model per thread. After
 * {@link #close()} every such call fails with an {@link IllegalStateException}.
 */
public final class CompressionModel extends Module implements TrainableModel, AutoCloseable {
    /** Output of {@link #forward}: reconstruction (not clamped), likelihoods by name ({@code y}, {@code z}), and {@code g_a(x)}. */
    public record ForwardResult(NDArray xHat, Map<String, NDArray> likelihoods, NDArray y) {}

    /** Output of {@link #compress}: streams × batch byte strings and the shape decompress needs. */
    public record Compressed(List<List<byte[]>> strings, Object shape) {}

    private final Spec spec;
    private final Resolver.Resolved resolved;
    private final Map<String, Number> params;
    private final int downsamplingFactor;
    private final NDManager manager;
    private final Layer gA;
    private final Layer gS;
    private final LatentCodec codec;
    private boolean closed;
    /** Whether the spec says {@code input: points}: inputs are point clouds, outputs are not clamped. */
    private final boolean pointCloud;
    /** {@link #weightsFingerprint()} once computed; cleared by every load and update. */
    private @Nullable String weightsFingerprint;
    private final ModuleOrigins origins;

    private CompressionModel(Resolver.Resolved resolved, NDManager manager, Map<String, ? extends Module> modules, LatentCodec codec,
                             ModuleOrigins origins) {
        this.spec = resolved.spec();
        this.resolved = resolved;
        Map<String, Number> p = new LinkedHashMap<>();
        resolved.params().forEach((k, v) -> {
            if (v instanceof Number n) {
                p.put(k, n);
            }
        });
        this.params = Collections.unmodifiableMap(p);
        this.downsamplingFactor = resolved.downsamplingFactor();
        this.manager = manager;
        modules.forEach(this::child);
        this.gA = layer(modules.get("g_a"), "g_a");
        this.gS = layer(modules.get("g_s"), "g_s");
        this.codec = codec;
        this.origins = origins;
        origins.inherit();
        this.pointCloud = spec.input() == Spec.Input.POINTS;
        // A codec that owns its parts names them latent_codec.*; one that only uses top-level parts has no keys.
        if (codec instanceof Module m && !m.children().isEmpty()) {
            child("latent_codec", m);
        }
        train(false);
    }

    /** The latent codec when it is no child (its parts are top-level modules): it trains when the model does. */
    @Override
    protected Collection<Module> linked() {
        return codec instanceof Module m && !children().containsValue(m) ? List.of(m) : List.of();
    }

    private static Layer layer(Module m, String name) {
        if (!(m instanceof Layer l)) {
            throw new IllegalArgumentException("module " + name + " must be a layer, got " + (m == null ? "nothing" : m.getClass().getSimpleName()));
        }
        return l;
    }

    /**
     * Assembles a model from compiled parts: {@code modules} are the top-level modules (with
     * {@code g_a} and {@code g_s}), registered under their names; {@code codec} is the root latent
     * codec; {@code origins} say where each module was written, to locate errors found while the
     * model runs. The model takes ownership of {@code manager}. Starts in evaluation mode.
     */
    public static CompressionModel of(Resolver.Resolved resolved, NDManager manager, Map<String, ? extends Module> modules,
                                      LatentCodec codec, ModuleOrigins origins) {
        return new CompressionModel(resolved, manager, modules, codec, origins);
    }

    /** The spec this model was compiled from. */
    public Spec spec() {
        return spec;
    }

    /** The resolved spec: every part with its channels and strides. */
    public Resolver.Resolved resolved() {
        return resolved;
    }

    /** The architecture name, e.g. {@code bmshj2018-hyperprior}. */
    public String name() {
        return spec.name();
    }

    /** Resolved numeric parameters ({@code N}, {@code M}, ...); list parameters such as ELIC's groups are left out. */
    public Map<String, Number> params() {
        return params;
    }

    /** Input height and width must be multiples of this (pad first): the product of the downsampling strides. */
    public int downsamplingFactor() {
        return downsamplingFactor;
    }

    /** The manager owning every parameter and buffer. */
    public NDManager manager() {
        return manager;
    }

    /** The root latent codec. */
    public LatentCodec latentCodec() {
        return codec;
    }

    /** Whether the model codes point clouds [B, P, 3] (spec {@code input: points}) rather than images. */
    @Override
    public boolean pointCloud() {
        return pointCloud;
    }

    /**
     * Runs the model on a [B, 3, H, W] batch (a point-cloud model: [B, P, 3] points, which g_a
     * sees as channels [B, 3, P], as CompressAI's point-cloud models transpose their input): noise
     * quantization in training mode, rounding in evaluation mode ({@link #train(boolean)}). Results live in {@code x}'s manager. A
     * variable-rate model runs at its default rate (see {@link #forward(NDArray, Rate)}).
     */
    public ForwardResult forward(NDArray x) {
        return located(() -> forwardAt(x, null));
    }

    /** As {@link #forward(NDArray)}, at {@code rate}; only for a {@link #variableRate()} model. */
    public ForwardResult forward(NDArray x, Rate rate) {
        return located(() -> forwardAt(x, checked(rate)));
    }

    /**
     * A variable-rate model's forward pass through its base model alone ({@link
     * VariableRateCodec#forwardBase}): the first stage of Kamisli et al.'s training, in which the
     * variable-rate modules are not used and get no gradient.
     */
    public ForwardResult forwardBase(NDArray x) {
        vbr();
        return forwardAt(x, null, true);
    }

    private ForwardResult forwardAt(NDArray x, @Nullable Rate rate) {
        return forwardAt(x, rate, false);
    }

    private synchronized ForwardResult forwardAt(NDArray x, @Nullable Rate rate, boolean base) {
        requireOpen();
        requireImage(x);
        try (ForwardScope s = ForwardScope.open(x.getManager(), this)) {
            s.input(x);
            NDArray y = gA.forward(pointCloud ? x.transpose(0, 2, 1) : x);
            // In training, g_a's backward waits until the latent codec's gradients are complete.
            NDArray staged = GradientCut.stage(y);
            LatentCodec.ForwardOut out = base ? vbr().forwardBase(staged)
                    : rate == null ? codec.forward(staged, null) : vbr().forward(staged, rate);
            NDArray xHat = gS.forward(out.yHat());
            Map<String, NDArray> likelihoods = new LinkedHashMap<>();
            out.likelihoods().forEach((k, v) -> likelihoods.put(k, s.keep(v)));
            return new ForwardResult(s.keep(xHat), Collections.unmodifiableMap(likelihoods), s.keep(y));
        }
    }

    /**
     * Entropy-codes a [B, 3, H, W] batch whose height and width are multiples of {@link
     * #downsamplingFactor()} (a point-cloud model: [B, P, 3] points).
     */
    public Compressed compress(NDArray x) {
        return located(() -> compressAt(x, null));
    }

    /**
     * As {@link #compress(NDArray)}, at {@code rate}; only for a {@link #variableRate()} model.
     * The strings do not record the rate: decompress with the same one.
     */
    public Compressed compress(NDArray x, Rate rate) {
        return located(() -> compressAt(x, checked(rate)));
    }

    private synchronized Compressed compressAt(NDArray x, @Nullable Rate rate) {
        requireOpen();
        requireImage(x);
        if (pointCloud) {
            try (ForwardScope s = ForwardScope.open(x.getManager(), this)) {
                s.input(x);
                LatentCodec.CompressOut out = codec.compress(gA.forward(x.transpose(0, 2, 1)), null);
                return new Compressed(out.strings(), out.shape());
            }
        }
        requireStride(x);
        try (ForwardScope s = ForwardScope.open(x.getManager(), this)) {
            s.input(x);
            NDArray y = gA.forward(x);
            LatentCodec.CompressOut out = rate == null ? codec.compress(y, null) : vbr().compress(y, rate);
            return new Compressed(out.strings(), out.shape());
        }
    }

    /**
     * The latent {@code y = g_a(x)} of a [B, 3, H, W] image batch whose sides are multiples of
     * {@link #downsamplingFactor()}, in {@code x}'s manager: what {@link #compress(NDArray)} codes,
     * for an encoder that changes it before coding ({@link #compressLatent}).
     */
    public NDArray analysis(NDArray x) {
        return located(() -> analysisAt(x));
    }

    private synchronized NDArray analysisAt(NDArray x) {
        requireOpen();
        requireImage(x);
        requirePixels();
        requireStride(x);
        try (ForwardScope s = ForwardScope.open(x.getManager(), this)) {
            s.input(x);
            return s.keep(gA.forward(x));
        }
    }

    /**
     * Entropy-codes a latent as {@link #compress(NDArray)} codes {@code g_a(x)}: {@code
     * compressLatent(analysis(x))} gives the same strings as {@code compress(x)}. Fixed-rate image
     * models only.
     */
    public Compressed compressLatent(NDArray y) {
        return located(() -> compressLatentAt(y));
    }

    private synchronized Compressed compressLatentAt(NDArray y) {
        requireOpen();
        requirePixels();
        fixedRate();
        try (ForwardScope s = ForwardScope.open(y.getManager(), this)) {
            s.input(y);
            LatentCodec.CompressOut out = codec.compress(y, null);
            return new Compressed(out.strings(), out.shape());
        }
    }

    /**
     * The forward pass from a latent: the latent codec's forward on {@code y} (rounding in
     * evaluation mode, or a {@link dev.tinify.runtime.entropy.SurrogateRounding} open on this
     * thread) and {@code g_s}, results in {@code y}'s manager. The model's parameters are frozen
     * while it runs: when autograd records, the graph reaches {@code y} but no weight, so a
     * backward pass computes the latent's gradient only (encoder-side refinement). The result's
     * {@code y} is {@code y} itself. Fixed-rate image models in evaluation mode only.
     */
    public ForwardResult forwardLatent(NDArray y) {
        return located(() -> forwardLatentAt(y));
    }

    private synchronized ForwardResult forwardLatentAt(NDArray y) {
        requireOpen();
        requirePixels();
        fixedRate();
        if (isTraining()) {
            throw new IllegalStateException(name() + ": forwardLatent needs evaluation mode (train(false))");
        }
        Map<String, Param> weights = parameters();
        weights.values().forEach(p -> p.value().setRequiresGradient(false));
        try (ForwardScope s = ForwardScope.open(y.getManager(), this)) {
            s.input(y);
            LatentCodec.ForwardOut out = codec.forward(y, null);
            NDArray xHat = gS.forward(out.yHat());
            Map<String, NDArray> likelihoods = new LinkedHashMap<>();
            out.likelihoods().forEach((k, v) -> likelihoods.put(k, s.keep(v)));
            return new ForwardResult(s.keep(xHat), Collections.unmodifiableMap(likelihoods), y);
        } finally {
            weights.values().forEach(p -> p.value().setRequiresGradient(true));
        }
    }

    /** Runs {@code work}; a layer that refuses its input is reported at its place in the spec. */
    private <T> T located(Supplier<T> work) {
        try {
            return work.get();
        } catch (LayerInputException e) {
            throw origins.locate(e);
        }
    }

    private void requireStride(NDArray x) {
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        if (h % downsamplingFactor != 0 || w % downsamplingFactor != 0) {
            throw new IllegalArgumentException(name() + ": compress needs height and width divisible by " + downsamplingFactor
                    + " (pad the image first), got " + h + "x" + w);
        }
    }

    private void requirePixels() {
        if (pointCloud) {
            throw new IllegalArgumentException(name() + " codes point clouds; latents are worked on for image models only");
        }
    }

    private void fixedRate() {
        if (variableRate()) {
            throw new IllegalArgumentException(name() + " is a variable-rate model; coding a given latent needs a fixed-rate model");
        }
    }

    /**
     * Decodes strings from {@link #compress}; the reconstruction, clamped to [0, 1], is created in
     * {@code m} (a point cloud [B, P, 3] is not clamped).
     */
    public NDArray decompress(NDManager m, List<List<byte[]>> strings, Object shape) {
        return located(() -> decompressAt(m, strings, shape, null));
    }

    /** Decodes strings from {@link #compress(NDArray, Rate)} made at {@code rate}. */
    public NDArray decompress(NDManager m, List<List<byte[]>> strings, Object shape, Rate rate) {
        return located(() -> decompressAt(m, strings, shape, checked(rate)));
    }

    private synchronized NDArray decompressAt(NDManager m, List<List<byte[]>> strings, Object shape, @Nullable Rate rate) {
        requireOpen();
        Objects.requireNonNull(strings, "strings");
        Objects.requireNonNull(shape, "shape");
        try (ForwardScope s = ForwardScope.open(m, this)) {
            NDArray yHat = rate == null ? codec.decompress(s.manager(), strings, shape, null)
                    : vbr().decompress(s.manager(), strings, shape, rate);
            NDArray xHat = gS.forward(yHat);
            return s.keep(pointCloud ? xHat : xHat.clip(0f, 1f));
        }
    }

    /** Whether the rate is chosen per call ({@link Rate}): the model has a variable-rate latent codec. */
    public boolean variableRate() {
        return codec instanceof VariableRateCodec;
    }

    /** The number of trained rate levels of a {@link #variableRate()} model. */
    public int rateLevels() {
        return vbr().levels();
    }

    private Rate checked(Rate rate) {
        Objects.requireNonNull(rate, "rate");
        vbr();
        return rate;
    }

    private VariableRateCodec vbr() {
        if (!(codec instanceof VariableRateCodec v)) {
            throw new IllegalArgumentException(name() + " is a fixed-rate model: it takes no rate (choose a zoo quality instead)");
        }
        return v;
    }

    /** Builds the CDF tables of every entropy model (kept unless {@code force}); true if any was updated. */
    public synchronized boolean update(boolean force) {
        requireOpen();
        weightsFingerprint = null;
        return EntropyModels.updateAll(this, force, false);
    }

    /**
     * As {@link #update(boolean)}; with {@code updateQuantiles}, each entropy bottleneck first
     * re-solves its quantiles from its density (the minimum of the auxiliary loss), so a short
     * training run whose quantiles have not converged still gets tight coding ranges.
     */
    public synchronized boolean update(boolean force, boolean updateQuantiles) {
        requireOpen();
        weightsFingerprint = null;
        return EntropyModels.updateAll(this, force, updateQuantiles);
    }

    /**
     * The sum of the entropy bottlenecks' auxiliary losses (0 without any), in the model's manager;
     * the caller closes it.
     */
    public synchronized NDArray auxLoss() {
        requireOpen();
        try (ForwardScope s = ForwardScope.open(manager, this)) {
            NDArray loss = EntropyModels.auxLoss(this);
            return s.keep(loss == null ? s.manager().create(0f) : loss);
        }
    }

    /**
     * Loads a full state dict with CompressAI's names; refuses missing, unexpected or misshapen
     * entries (all listed in the error) and then changes nothing.
     */
    public synchronized void load(Map<String, SafeTensors.Tensor> stateDict) {
        requireOpen();
        weightsFingerprint = null;
        StateDicts.load(this, stateDict, "state dict for " + name());
    }

    /**
     * {@link StateDicts#fingerprint} of the current weights, which a {@code .tfy} file records so
     * that a decoder can tell whether it holds the weights that encoded it. Computed once and kept
     * until the next {@link #load} or {@code update}; values changed another way (an optimizer
     * step, {@link StateDicts#loadMatching}) are seen from the next {@code update}, which coding
     * after such a change needs anyway to rebuild the CDF tables.
     */
    public synchronized String weightsFingerprint() {
        requireOpen();
        String f = weightsFingerprint;
        if (f == null) {
            f = StateDicts.fingerprint(this);
            weightsFingerprint = f;
        }
        return f;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException(name() + ": the model is closed");
        }
    }

    private void requireImage(NDArray x) {
        if (pointCloud) {
            if (x.getShape().dimension() != 3 || x.getShape().get(2) != 3) {
                throw new IllegalArgumentException(name() + ": expected a point-cloud batch [B, P, 3], got " + x.getShape());
            }
            return;
        }
        if (x.getShape().dimension() != 4 || x.getShape().get(1) != 3) {
            throw new IllegalArgumentException(name() + ": expected an image batch [B, 3, H, W], got " + x.getShape());
        }
    }

    /** Releases every parameter and buffer. */
    @Override
    public synchronized void close() {
        closed = true;
        manager.close();
    }

    @Override
    public String toString() {
        return "CompressionModel(" + name() + ", " + params + ")";
    }
}
