package dev.tinify;

import dev.tinify.runtime.container.TfyContainer;
import dev.tinify.runtime.image.RgbImage;
import dev.tinify.runtime.metrics.Bpp;
import dev.tinify.runtime.metrics.Psnr;
import dev.tinify.runtime.refine.Refinement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * Finds the setting of a model's rate knob that brings one image to a target bpp or PSNR, as
 * CompressAI's {@code find_close} does, from real bitstreams (and their decoded pictures for a
 * PSNR target): every pass is a real encode, and the chosen pass's container is the result, so
 * nothing is encoded again. At most {@value #MAX_PASSES} encoder passes.
 *
 * <p>A variable-rate model's quality is continuous ({@link Codec#useQuality}): the search starts
 * in the middle of the trained range and interpolates linearly between the passes on either side
 * of the target, in log-bpp (or dB) against the quality, whose steps are equal ratios of the gain;
 * until both sides are known it extrapolates from the last two passes. It stops once the target is
 * met ({@value #BPP_TOLERANCE} relative for bpp, {@value #PSNR_TOLERANCE_DB} dB for PSNR), or at
 * an end of the range the target lies beyond. A fixed-rate model has only its zoo qualities: a
 * bisection finds the two around the target and the nearer one is chosen.
 *
 * <p>Both searches assume that rate and quality grow with the setting, as they do for a trained
 * model.
 */
public final class TargetSearch {
    /** Most encoder passes a search makes. */
    public static final int MAX_PASSES = 8;
    /** A bpp target is met within this relative error. */
    public static final double BPP_TOLERANCE = 0.01;
    /** A PSNR target is met within this many dB. */
    public static final double PSNR_TOLERANCE_DB = 0.02;
    /** First guesses of how fast the log-bpp and the PSNR grow per quality step, before two passes measure it. */
    private static final double LOG_BPP_PER_LEVEL = 0.3;
    private static final double DB_PER_LEVEL = 1.0;
    /** An interpolated step lands at least this fraction of the interval away from its ends, so the interval shrinks. */
    private static final double GUARD = 0.05;

    private TargetSearch() {}

    /** What a target measures. */
    public enum Measure {
        BPP("bpp"),
        PSNR("psnr");

        private final String id;

        Measure(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    /** A target: a bpp (entropy-coded bits over the original pixels, as CompressAI counts them) or a PSNR in dB. */
    public record Target(Measure measure, double value) {
        public Target {
            if (!(value > 0) || !Double.isFinite(value)) {
                throw new IllegalArgumentException("a " + measure.id() + " target must be a positive number, got " + value);
            }
        }

        /** E.g. {@code bpp=0.25}. */
        public String label() {
            return measure.id() + "=" + String.format(Locale.ROOT, "%s", value);
        }

        /** The axis the search interpolates on: log bpp, or dB. */
        double coordinate(double achieved) {
            return measure == Measure.BPP ? Math.log(Math.max(achieved, Double.MIN_NORMAL)) : achieved;
        }

        double goal() {
            return coordinate(value);
        }

        /** How far {@code achieved} is from the target on {@link #coordinate}'s axis. */
        double distance(double achieved) {
            return Math.abs(coordinate(achieved) - goal());
        }

        /** Whether {@code achieved} meets the target within its tolerance. */
        public boolean met(double achieved) {
            return measure == Measure.BPP ? Math.abs(achieved / value - 1) <= BPP_TOLERANCE
                    : Math.abs(achieved - value) <= PSNR_TOLERANCE_DB;
        }

        double perLevel() {
            return measure == Measure.BPP ? LOG_BPP_PER_LEVEL : DB_PER_LEVEL;
        }
    }

    /**
     * One encoder pass.
     *
     * @param quality the quality coded at
     * @param container what it wrote
     * @param bpp its rate
     * @param decoded its decoded picture (decoded for a PSNR target only), or null
     * @param psnr its PSNR in dB, NaN when not decoded
     * @param seconds the time it took (encoding, and decoding for a PSNR target)
     */
    public record Pass(double quality, TfyContainer container, double bpp, @Nullable RgbImage decoded, double psnr, double seconds) {
        /** What the target measures of this pass. */
        public double achieved(Measure measure) {
            return measure == Measure.BPP ? bpp : psnr;
        }
    }

    /**
     * A search's result.
     *
     * @param target what was asked
     * @param chosen the pass closest to the target (its container is the file to keep)
     * @param passes every pass, in order
     */
    public record Outcome(Target target, Pass chosen, List<Pass> passes) {
        public Outcome {
            passes = List.copyOf(passes);
        }

        /** Whether the chosen pass meets the target within its tolerance. */
        public boolean met() {
            return target.met(chosen.achieved(target.measure()));
        }

        /** Total time of every pass, in seconds. */
        public double seconds() {
            return passes.stream().mapToDouble(Pass::seconds).sum();
        }
    }

    /** Searches the real-valued quality of a variable-rate {@code codec} (left at the chosen quality). */
    public static Outcome variableRate(Codec codec, RgbImage image, Target target, Refinement refinement) {
        if (!codec.model().variableRate()) {
            throw new TinifyException(codec.model().name() + " is a fixed-rate model: search its zoo qualities instead");
        }
        double low = 1;
        double high = codec.model().rateLevels();
        double goal = target.goal();
        List<Pass> passes = new ArrayList<>();
        @Nullable Pass below = null;
        @Nullable Pass above = null;
        double q = (low + high) / 2;
        while (true) {
            codec.useQuality(q);
            Pass p = pass(codec, image, target, refinement);
            passes.add(p);
            double u = target.coordinate(p.achieved(target.measure()));
            if (target.met(p.achieved(target.measure())) || passes.size() == MAX_PASSES) {
                break;
            }
            if (u < goal) {
                below = below == null || p.quality() > below.quality() ? p : below;
            } else {
                above = above == null || p.quality() < above.quality() ? p : above;
            }
            Double next;
            if (below != null && above != null) {
                double ub = target.coordinate(below.achieved(target.measure()));
                double ua = target.coordinate(above.achieved(target.measure()));
                double t = Math.min(1 - GUARD, Math.max(GUARD, (goal - ub) / (ua - ub)));
                next = below.quality() + t * (above.quality() - below.quality());
                if (above.quality() - below.quality() < 1e-9) {
                    next = null;
                }
            } else {
                double slope = slope(passes, target);
                next = q + (goal - u) / slope;
                // Beyond an end already coded, the target is out of the model's range.
                next = (u < goal && q >= high) || (u > goal && q <= low) ? null : Math.max(low, Math.min(high, next));
            }
            if (next == null) {
                break;
            }
            q = next;
        }
        Pass chosen = closest(passes, target);
        codec.useQuality(chosen.quality());
        return new Outcome(target, chosen, passes);
    }

    /** The growth of the target's coordinate per quality step from the last two passes, or the first guess. */
    private static double slope(List<Pass> passes, Target target) {
        if (passes.size() >= 2) {
            Pass a = passes.get(passes.size() - 2);
            Pass b = passes.get(passes.size() - 1);
            double dq = b.quality() - a.quality();
            if (dq != 0) {
                double s = (target.coordinate(b.achieved(target.measure())) - target.coordinate(a.achieved(target.measure()))) / dq;
                if (s > 0 && Double.isFinite(s)) {
                    return s;
                }
            }
        }
        return target.perLevel();
    }

    /**
     * Searches the zoo {@code qualities} (any order) of a fixed-rate model, coding each with
     * {@code codecAt} (the caller owns the codecs): a bisection for the two qualities around the
     * target, then the nearer of them.
     */
    public static Outcome levels(List<Integer> qualities, IntFunction<Codec> codecAt, RgbImage image, Target target,
            Refinement refinement) {
        if (qualities.isEmpty()) {
            throw new TinifyException("no qualities to search");
        }
        List<Integer> sorted = qualities.stream().distinct().sorted().toList();
        Pass[] seen = new Pass[sorted.size()];
        List<Pass> passes = new ArrayList<>();
        IntFunction<Pass> at = i -> {
            if (seen[i] == null) {
                seen[i] = pass(codecAt.apply(sorted.get(i)), image, target, refinement);
                passes.add(seen[i]);
            }
            return seen[i];
        };
        // The first quality whose result reaches the target (the last one if none does).
        int lo = 0;
        int hi = sorted.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (at.apply(mid).achieved(target.measure()) < target.value()) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        at.apply(lo);
        if (lo > 0) {
            at.apply(lo - 1);
        }
        return new Outcome(target, closest(passes, target), passes);
    }

    private static Pass closest(List<Pass> passes, Target target) {
        return passes.stream().min(Comparator.comparingDouble(p -> target.distance(p.achieved(target.measure())))).orElseThrow();
    }

    private static Pass pass(Codec codec, RgbImage image, Target target, Refinement refinement) {
        long start = System.nanoTime();
        TfyContainer c = codec.compress(image, refinement);
        double bpp = Bpp.of(c.stringBytes(), image.height(), image.width());
        RgbImage decoded = null;
        double psnr = Double.NaN;
        if (target.measure() == Measure.PSNR) {
            decoded = codec.decompress(c);
            psnr = Psnr.of(image, decoded);
        }
        return new Pass(codec.qualityValue(), c, bpp, decoded, psnr, (System.nanoTime() - start) / 1e9);
    }
}
