package dev.tinify.runtime.train;

import dev.tinify.dsl.Metric;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Settings of a training run. Defaults follow CompressAI's example recipe: batch 8 of 256x256
 * patches, net Adam lr 1e-4, aux Adam lr 1e-3, gradient norm clipped at 1.0, learning rate halved
 * after a validation plateau.
 *
 * @param trainDir folder of training images
 * @param valDir folder of validation images (centre crops of at most {@code patch} pixels), or
 *     null to drive the plateau schedule with the mean training loss between validations
 * @param outDir where checkpoints and the log go
 * @param metric distortion metric of the loss
 * @param lambda rate-distortion trade-off
 * @param quality the zoo quality {@code lambda} came from (0 if given directly), recorded in checkpoints
 * @param steps total number of optimizer steps (a resumed run continues up to this)
 * @param batch images per step
 * @param patch side of the square training patches
 * @param seed seed of the patches and of the quantization noise
 * @param netLr learning rate of the net optimizer
 * @param auxLr learning rate of the aux optimizer
 * @param clipNorm global gradient-norm bound of the net parameters (0: no clipping)
 * @param validateEvery steps between validations (0: never)
 * @param checkpointEvery steps between checkpoints (0: only at the end or on stop)
 * @param patience validations without improvement before the learning rate is reduced
 * @param plateauFactor learning-rate factor on a plateau
 * @param baseStage for a variable-rate model, train its base model alone at {@code lambda}, the
 *     variable-rate modules unused and frozen (the first stage of Kamisli et al.); false trains
 *     every rate at once (their second stage, multi-objective)
 * @param frozen top-level modules whose parameters keep their values (e.g. {@code g_a} and
 *     {@code g_s} while a fresh entropy model fits a warm-started transform); empty: none
 * @param augment what each image patch may go through besides its crop; video clips and point
 *     clouds take none, so for them it must be {@link Augmentation#DEFAULT}, which they ignore
 */
public record TrainingConfig(Path trainDir, @Nullable Path valDir, Path outDir, Metric metric, double lambda,
                             int quality, long steps, int batch, int patch, long seed, double netLr, double auxLr,
                             double clipNorm, int validateEvery, int checkpointEvery, int patience, double plateauFactor,
                             boolean baseStage, List<String> frozen, Set<Augmentation> augment) {
    public TrainingConfig {
        frozen = List.copyOf(frozen);
        Objects.requireNonNull(augment, "augment");
        augment = Collections.unmodifiableSet(augment.isEmpty() ? EnumSet.noneOf(Augmentation.class) : EnumSet.copyOf(augment));
        Objects.requireNonNull(trainDir, "trainDir");
        Objects.requireNonNull(outDir, "outDir");
        Objects.requireNonNull(metric, "metric");
        require(lambda > 0 && Double.isFinite(lambda), "lambda must be positive, got " + lambda);
        require(steps >= 0, "steps must be >= 0, got " + steps);
        require(batch >= 1, "batch must be >= 1, got " + batch);
        require(patch >= 1, "patch must be >= 1, got " + patch);
        require(netLr >= 0 && auxLr >= 0, "learning rates must be >= 0, got " + netLr + " and " + auxLr);
        require(clipNorm >= 0, "clip norm must be >= 0, got " + clipNorm);
        require(validateEvery >= 0 && checkpointEvery >= 0, "intervals must be >= 0");
        require(patience >= 0, "patience must be >= 0, got " + patience);
        require(plateauFactor > 0 && plateauFactor < 1, "plateau factor must be in (0, 1), got " + plateauFactor);
        if (metric == Metric.MS_SSIM) {
            require(patch > MsSsimLoss.MIN_SIDE_EXCLUSIVE, "MS-SSIM training needs patches larger than "
                    + MsSsimLoss.MIN_SIDE_EXCLUSIVE + " pixels, got " + patch);
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** A configuration with the recipe's defaults for everything but the data, output, loss and length. */
    public static Builder builder(Path trainDir, Path outDir, Metric metric, double lambda, long steps) {
        return new Builder(trainDir, outDir, metric, lambda, steps);
    }

    /** Builder with CompressAI's defaults. */
    public static final class Builder {
        private final Path trainDir;
        private final Path outDir;
        private final Metric metric;
        private final double lambda;
        private final long steps;
        private @Nullable Path valDir;
        private int quality;
        private int batch = 8;
        private int patch = 256;
        private long seed = 1;
        private double netLr = 1e-4;
        private double auxLr = 1e-3;
        private double clipNorm = 1.0;
        private int validateEvery = 1000;
        private int checkpointEvery = 1000;
        private int patience = 20;
        private double plateauFactor = 0.5;
        private boolean baseStage;
        private List<String> frozen = List.of();
        private Set<Augmentation> augment = Augmentation.DEFAULT;

        private Builder(Path trainDir, Path outDir, Metric metric, double lambda, long steps) {
            this.trainDir = trainDir;
            this.outDir = outDir;
            this.metric = metric;
            this.lambda = lambda;
            this.steps = steps;
        }

        public Builder valDir(@Nullable Path v) { valDir = v; return this; }
        public Builder quality(int v) { quality = v; return this; }
        public Builder batch(int v) { batch = v; return this; }
        public Builder patch(int v) { patch = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder netLr(double v) { netLr = v; return this; }
        public Builder auxLr(double v) { auxLr = v; return this; }
        public Builder clipNorm(double v) { clipNorm = v; return this; }
        public Builder validateEvery(int v) { validateEvery = v; return this; }
        public Builder checkpointEvery(int v) { checkpointEvery = v; return this; }
        public Builder patience(int v) { patience = v; return this; }
        public Builder plateauFactor(double v) { plateauFactor = v; return this; }
        public Builder baseStage(boolean v) { baseStage = v; return this; }
        public Builder frozen(List<String> v) { frozen = v; return this; }
        public Builder augment(Set<Augmentation> v) { augment = v; return this; }

        public TrainingConfig build() {
            return new TrainingConfig(trainDir, valDir, outDir, metric, lambda, quality, steps, batch, patch, seed, netLr, auxLr,
                    clipNorm, validateEvery, checkpointEvery, patience, plateauFactor, baseStage, frozen, augment);
        }
    }
}
