package dev.tinify.runtime.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tinify.dsl.Metric;
import dev.tinify.dsl.Zoo;
import dev.tinify.runtime.codecs.vbr.Rate;
import dev.tinify.runtime.image.ImageFiles;
import dev.tinify.runtime.image.Padding;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.model.CompressionModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Training an image model as CompressAI's {@code train.py}: each step a batch of random patches
 * ({@link PatchSampler}), the rate-distortion loss of the model's forward pass; validation on
 * centre crops of the validation images. A point-cloud model takes clouds of {@code patch} points
 * ({@link CloudSampler}) and the bits per point plus lambda times the Chamfer distance
 * ({@link ChamferRateLoss}), or, with a density-preserving decoder, He et al.'s loss with lambda
 * weighting its Chamfer distances ({@link DensityRateLoss}). A variable-rate model trains all its
 * gains, drawing one level per step, or in the base stage ({@link TrainingConfig#baseStage()}) its base model alone.
 */
final class ImageObjective implements Objective {
    private final CompressionModel model;
    private final TrainingConfig config;
    private final TrainingLoss loss;
    private final List<RateDistortionLoss> rateLosses;
    private final TrainingSamples sampler;
    /**
     * The batch, reused every step: it backs the input array without a copy. It is held here, so
     * the memory autograd saves for backward cannot be collected early; it is rewritten only after
     * the previous step's graph is freed.
     */
    private final ByteBuffer input;
    /** The validation inputs, each made in the manager given (a [1, 3, H, W] crop or a [1, P, 3] cloud). */
    private final List<Function<NDManager, NDArray>> validation;

    ImageObjective(CompressionModel model, TrainingConfig config) {
        this.model = model;
        this.config = config;
        int df = model.downsamplingFactor();
        if (!model.pointCloud() && config.patch() % df != 0) {
            throw new IllegalArgumentException(model.name() + ": patch " + config.patch() + " is not a multiple of the model's "
                    + "downsampling factor " + df);
        }
        this.loss = !model.pointCloud() ? new RateDistortionLoss(config.metric(), config.lambda())
                : DensityRateLoss.fits(model) ? new DensityRateLoss(config.lambda()) : new ChamferRateLoss(config.lambda());
        this.rateLosses = rateLosses(model, config);
        // A point-cloud model takes clouds of config.patch() points.
        if (model.pointCloud() && !config.augment().equals(Augmentation.DEFAULT)) {
            throw new IllegalArgumentException(model.name() + ": augmentations apply to image patches, a point cloud is sampled as it is");
        }
        this.sampler = model.pointCloud() ? new CloudSampler(config.trainDir(), config.patch(), config.seed())
                : new PatchSampler(config.trainDir(), config.patch(), config.seed(), config.augment());
        this.input = ByteBuffer.allocateDirect(Math.multiplyExact(Float.BYTES * config.batch(), sampler.floatsPerSample()))
                .order(ByteOrder.nativeOrder());
        this.validation = config.valDir() == null ? List.of()
                : model.pointCloud() ? cloudValidation(config.valDir(), config.patch(), config.seed())
                : loadValidation(config.valDir(), config.patch(), df);
    }

    /**
     * For a variable-rate model, one loss per trained gain with the spec's zoo lambda of that level
     * (the multi-objective training of Kamisli et al.: each step draws a level); empty otherwise.
     */
    private static List<RateDistortionLoss> rateLosses(CompressionModel model, TrainingConfig config) {
        if (config.baseStage() && !model.variableRate()) {
            throw new IllegalArgumentException(model.name() + " is a fixed-rate model: the base stage trains the base model of a "
                    + "variable-rate one");
        }
        if (!model.variableRate() || config.baseStage()) {
            return List.of();
        }
        int levels = model.rateLevels();
        Zoo zoo = model.spec().zoo();
        List<Double> table = zoo == null ? null : zoo.lambdas().get(config.metric().id());
        if (table == null || table.size() != levels) {
            throw new IllegalArgumentException(model.name() + ": a variable-rate model trains each of its " + levels
                    + " gains with its own lambda, so its spec's zoo needs " + levels + " " + config.metric().id() + " lambdas"
                    + (table == null ? "" : ", it has " + table.size()));
        }
        List<RateDistortionLoss> out = new ArrayList<>();
        for (double l : table) {
            out.add(new RateDistortionLoss(config.metric(), l));
        }
        return List.copyOf(out);
    }

    /** The rate level of step {@code s} of a variable-rate run: a function of (seed, step) only, so a resumed run draws the same. */
    private int levelOf(long seed, long s) {
        return (int) Math.floorMod(PatchSampler.mix(seed ^ 0x6a09e667f3bcc909L, s), (long) rateLosses.size());
    }

    /** One fixed sample of {@code points} points of each validation cloud ({@link CloudSampler#validation}). */
    private static List<Function<NDManager, NDArray>> cloudValidation(Path dir, int points, long seed) {
        List<Function<NDManager, NDArray>> out = new ArrayList<>();
        for (float[] xyz : CloudSampler.validation(dir, points, seed)) {
            out.add(m -> m.create(xyz, new Shape(1, points, 3)));
        }
        return out;
    }

    /** Centre crops of at most {@code patch} pixels per side, rounded down to the downsampling factor. */
    private List<Function<NDManager, NDArray>> loadValidation(Path dir, int patch, int df) {
        List<Function<NDManager, NDArray>> out = new ArrayList<>();
        for (Path f : PatchSampler.listImages(dir)) {
            RgbImage img;
            try {
                img = ImageFiles.read(f);
            } catch (IOException | UncheckedIOException e) {
                throw new IllegalArgumentException(f + ": cannot read validation image: " + e.getMessage(), e);
            }
            RgbImage crop = validationCrop(f, img, patch, df);
            if (config.metric() == Metric.MS_SSIM && Math.min(crop.height(), crop.width()) <= MsSsimLoss.MIN_SIDE_EXCLUSIVE) {
                throw new IllegalArgumentException(f + ": a " + crop.height() + "x" + crop.width()
                        + " validation crop is too small for MS-SSIM");
            }
            out.add(crop::toNDArray);
        }
        return out;
    }

    /**
     * The centre crop of {@code img} (read from {@code source}) that validation codes: at most
     * {@code patch} pixels per side, each side rounded down to the downsampling factor {@code df}.
     */
    static RgbImage validationCrop(Path source, RgbImage img, int patch, int df) {
        int h = Math.min(img.height(), patch) / df * df;
        int w = Math.min(img.width(), patch) / df * df;
        if (h == 0 || w == 0) {
            throw new IllegalArgumentException(source + ": validation image " + img.height() + "x" + img.width()
                    + " is smaller than the model's downsampling factor " + df);
        }
        int top = (img.height() - h) / 2;
        int left = (img.width() - w) / 2;
        return img.crop(new Padding(left, img.width() - w - left, top, img.height() - h - top));
    }

    @Override
    public void sample(long step) {
        sampler.batch(step * config.batch(), config.batch(), input.asFloatBuffer());
    }

    @Override
    public RateDistortionLoss.Terms forward(long step, long seed, NDManager sub) {
        NDArray x = sub.create(input, sampler.shape(config.batch()), DataType.FLOAT32);
        int level = rateLosses.isEmpty() ? -1 : levelOf(seed, step);
        TrainingLoss l = level < 0 ? loss : rateLosses.get(level);
        return l.evaluate(x, in -> config.baseStage() ? model.forwardBase(in)
                : level < 0 ? model.forward(in) : model.forward(in, Rate.level(level)));
    }

    @Override
    public int validationItems() {
        return validation.size();
    }

    @Override
    public RateDistortionLoss.Terms validate(int item, NDManager sub) {
        NDArray x = validation.get(item).apply(sub);
        // A variable-rate model is validated at its finest trained gain, with that level's lambda.
        int top = rateLosses.size() - 1;
        TrainingLoss l = top < 0 ? loss : rateLosses.get(top);
        return l.evaluate(x, in -> config.baseStage() ? model.forwardBase(in)
                : top < 0 ? model.forward(in) : model.forward(in, Rate.level(top)));
    }
}
